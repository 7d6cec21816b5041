// A labelled search box that looks things up as the user types and lists what it found as
// buttons; selecting one hands it to `onPick`. Used by Search Providers and About Patient.
import { el } from "./ui.js";

let counter = 0;

// `search(text)` resolves to [{id, label}]; `empty` is what to say when nothing matched.
export function searchField({ label, search, onPick, empty = "No matches.", hint = "" }) {
  const id = `search-${++counter}`;
  const input = el("input", { id, type: "search", autocomplete: "off", maxlength: "100",
    "aria-describedby": hint ? `${id}-hint` : null, "aria-controls": `${id}-results` });
  const results = el("ul", { id: `${id}-results`, class: "search-results",
    "aria-label": `${label} results` });
  const found = el("p", { class: "hint muted", role: "status" });
  let asked = 0;
  let timer = null;

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

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(look, 200);
  });
  // Enter in the box searches now instead of submitting the form around it.
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    clearTimeout(timer);
    look();
  });
  return el("div", { class: "search-field" },
    el("label", { for: id, text: label }),
    hint ? el("p", { id: `${id}-hint`, class: "hint muted", text: hint }) : null,
    input, found, results);
}
