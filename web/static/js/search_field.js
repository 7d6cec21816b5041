// A labelled search box that looks things up as the user types and lists what it found as
// buttons; selecting one hands it to `onPick`. Used by Search Providers and About Patient.
// Also what every search box shares: when to search, and the two directory look-ups.
import { api } from "./api.js";
import { el } from "./ui.js";

let counter = 0;

// Runs `look()` once the user pauses typing in `input`, or at once on Enter (which would
// otherwise submit the form around it).
export function whenTyped(input, look, delayMs = 200) {
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(look, delayMs);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    clearTimeout(timer);
    look();
  });
}

// Search Providers: colleagues at the practice whose name contains `q`.
export async function findProviders(q) {
  return (await api("GET", `/providers?q=${encodeURIComponent(q)}`)).providers;
}

// Patients whose name contains `q` or whose reference is `q`. A POST: what was typed (a
// patient's name) never goes into a URL.
export async function findPatients(q) {
  return (await api("POST", "/patients/search", { q })).patients;
}

// `search(text)` resolves to [{id, label}]; `empty` is what to say when nothing matched.
export function searchField({ label, search, onPick, empty = "No matches.", hint = "" }) {
  const id = `search-${++counter}`;
  const input = el("input", { id, type: "search", autocomplete: "off", maxlength: "100",
    "aria-describedby": hint ? `${id}-hint` : null, "aria-controls": `${id}-results` });
  const results = el("ul", { id: `${id}-results`, class: "search-results",
    "aria-label": `${label} results` });
  const found = el("p", { class: "hint muted", role: "status" });
  let asked = 0;

  async function look() {
    const mine = ++asked;
    const text = input.value.trim();
    if (!text) {
      results.replaceChildren();
      found.textContent = "";
      return;
    }
    let rows;
    try {
      rows = await search(text);
    } catch (error) {
      if (mine === asked) found.textContent = error.message;
      return;
    }
    if (mine !== asked) return; // an older answer arriving after a newer one
    results.replaceChildren(...rows.map((row) => el("li", {},
      el("button", { type: "button", class: "link", text: row.label, onclick: () => {
        onPick(row);
        input.value = "";
        results.replaceChildren();
        found.textContent = "";
        input.focus();
      } }))));
    found.textContent = rows.length ? `${rows.length} found.` : empty;
  }

  whenTyped(input, look);
  return el("div", { class: "search-field" },
    el("label", { for: id, text: label }),
    hint ? el("p", { id: `${id}-hint`, class: "hint muted", text: hint }) : null,
    input, found, results);
}
