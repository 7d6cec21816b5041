// Administration → On-Demand setup → Public calendar (admins): the slot length, the time zone
// the hours are written in, and each provider's weekly hours, from which the public page offers
// bookable times. API: GET/PUT /api/v1/on_demand/calendar (docs/workflows/on_demand.md).
import { field } from "/static/js/admin/form.js";
import { el } from "/static/js/ui.js";

const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const LENGTHS = [10, 15, 20, 30, 45, 60, 90, 120];
const title = (day) => day[0].toUpperCase() + day.slice(1);

// "09:00-12:00, 13:00-17:00" <-> [{start, end}]; the server checks the times themselves.
function parse(text) {
  return text.split(",").map((part) => part.trim()).filter(Boolean).map((part) => {
    const [start = "", end = ""] = part.split(/\s*[-–]\s*/);
    return { start, end };
  });
}

function write(ranges) {
  return ranges.map((r) => `${r.start}-${r.end}`).join(", ");
}

function zones(current) {
  const all = typeof Intl.supportedValuesOf === "function"
    ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set(["UTC", current, ...all])];
}

export function calendarSettings(api, initial, result) {
  const length = el("select", {});
  for (const m of LENGTHS) length.append(new Option(`${m} minutes`, String(m)));
  length.value = String(initial.slot_minutes);
  const zone = el("select", {});
  for (const z of zones(initial.time_zone)) zone.append(new Option(z, z));
  zone.value = initial.time_zone;
  const inputs = new Map();
  const people = initial.providers.map((provider) => {
    const ranges = initial.hours[provider.id] || [];
    const rows = DAYS.map((day) => {
      const input = el("input", { type: "text", maxlength: "120", inputmode: "numeric",
        "data-provider": provider.id, "data-day": day, placeholder: "Closed" });
      input.value = write(ranges.filter((r) => r.day === day));
      inputs.set(`${provider.id}/${day}`, input);
      return field(`${title(day)} hours of ${provider.name}`, input);
    });
    return el("fieldset", { class: "admin-block calendar-hours" },
      el("legend", { text: provider.name }), el("div", { class: "admin-grid" }, rows));
  });
  const save = el("button", { type: "submit", class: "primary", text: "Save weekly hours" });
  const form = el("form", { novalidate: true, class: "admin-block", id: "on-demand-calendar" },
    el("h3", { text: "Public calendar" }),
    el("p", { class: "muted", text: "Patients book these times on the public page, below "
      + "Meet Now, for the next 14 days; times already booked are left out. Write each day's "
      + "hours as 09:00-12:00, or several ranges separated by commas; leave a day empty when "
      + "the provider takes no bookings." }),
    el("div", { class: "admin-grid" }, field("Length of a visit", length),
      field("Time zone of these hours", zone)),
    people.length ? people : el("p", { class: "muted", text: "There are no providers yet." }),
    el("div", { class: "row-actions" }, save));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const hours = {};
    for (const provider of initial.providers) {
      hours[provider.id] = DAYS.flatMap((day) =>
        parse(inputs.get(`${provider.id}/${day}`).value).map((r) => ({ day, ...r })));
    }
    save.disabled = true;
    try {
      const done = await api("PUT", "/on_demand/calendar", {
        slot_minutes: Number(length.value), time_zone: zone.value, hours });
      for (const provider of initial.providers) {
        for (const day of DAYS) {
          inputs.get(`${provider.id}/${day}`).value = write(
            (done.hours[provider.id] || []).filter((r) => r.day === day));
        }
      }
      result.ok("Weekly hours saved: the public calendar shows them now.");
    } catch (error) {
      result.fail(error);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}
