// What the admin sections share: labelled fields, one result line per section (announced by
// screen readers: success politely, errors assertively), and running an action with its
// button disabled meanwhile.
import { el } from "../ui.js";

let fieldCount = 0;

// A <label> and its control, joined by id; `hint` is read with the control.
export function field(labelText, control, hint) {
  const id = control.id || `admin-field-${++fieldCount}`;
  control.id = id;
  const parts = [el("label", { for: id, text: labelText }), control];
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute("aria-describedby", hintId);
    parts.push(el("p", { id: hintId, class: "hint muted", text: hint }));
  }
  return el("div", { class: "admin-field" }, ...parts);
}

// A tick box with its label beside it.
export function checkbox(labelText, checked, attrs = {}) {
  const box = el("input", { type: "checkbox", id: `admin-field-${++fieldCount}`, ...attrs });
  box.checked = Boolean(checked);
  return { box, node: el("div", { class: "admin-check" }, box,
    el("label", { for: box.id, text: labelText })) };
}

// The section's result line: `ok(text)` and `fail(error)`; errors also mark `control` invalid.
export function resultLine() {
  const node = el("p", { class: "admin-result", role: "status", "aria-live": "polite" });
  let marked = [];
  const clear = () => {
    for (const c of marked) c.removeAttribute("aria-invalid");
    marked = [];
  };
  return {
    node,
    ok(text) {
      clear();
      node.dataset.kind = "ok";
      node.setAttribute("aria-live", "polite");
      node.textContent = text;
    },
    fail(error, ...controls) {
      clear();
      node.dataset.kind = "error";
      node.setAttribute("aria-live", "assertive");
      node.textContent = error && error.message ? error.message : String(error);
      for (const c of controls) {
        c.setAttribute("aria-invalid", "true");
        marked.push(c);
      }
      if (controls[0]) controls[0].focus();
    },
  };
}

// Runs `action` with `button` disabled; an error goes to `result` (marking `controls`).
export async function run(button, result, action, ...controls) {
  button.disabled = true;
  try {
    return await action();
  } catch (error) {
    result.fail(error, ...controls);
    return undefined;
  } finally {
    button.disabled = false;
  }
}
