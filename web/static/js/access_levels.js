// A session's access levels in the seed article's words, the "anyone with the link" reminder,
// and the Session Access radio group shared by the session form and Create Telehealth Session.
import { el } from "./ui.js";

export const REMINDER =
  "Anyone you share the session link with will be able to join this session.";

export const ACCESS_LEVELS = [
  { value: "private", title: "Private Session",
    text: "Only people at your practice who are on the participants list can join.",
    example: "For example: meetings with specific colleagues to discuss sensitive patient or "
      + "administrative issues." },
  { value: "internal", title: "Internal Session",
    text: "Anyone at your practice who has the link can join.",
    example: "For example: weekly team meetings where the attendee list changes slightly each "
      + "time." },
  { value: "invitation", title: "Invitation Session",
    text: "Anyone you share the link with can join. No login required. They can only view the "
      + "shared audio and video; they have no access to any other part of the system.",
    example: "For example: follow-up consults with patients, or referral consults with "
      + "external specialists." },
];

// The "Session Access" fieldset; `name` names its radios (unique on the page), `chosen` is the
// level checked first. Returns { element, value() }.
export function accessChoice(name, chosen) {
  const options = ACCESS_LEVELS.map((level) => {
    const id = `${name}-${level.value}`;
    return el("div", { class: "choice" },
      el("input", { type: "radio", name, id, value: level.value,
                    checked: level.value === chosen, "aria-describedby": `${id}-text` }),
      el("label", { for: id, text: level.title }),
      el("p", { id: `${id}-text`, class: "hint" }, level.text, " ",
        el("span", { class: "muted", text: level.example })));
  });
  const element = el("fieldset", { class: "access-choice" },
    el("legend", { text: "Session Access" }), options,
    el("p", { class: "hint", text: "\u201cAt your practice\u201d means the person has an "
      + "account and login to this system." }));
  return { element, value: () => element.querySelector(`input[name="${name}"]:checked`).value };
}
