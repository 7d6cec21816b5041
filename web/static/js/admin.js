// The admin pages' shell (/admin): the organisation's admins manage its accounts, Account
// Services, settings, the sessions in progress and each workflow's settings. The sections come
// from GET /api/v1/dashboard?page=admin (core ones first, then the plugins'); each is an ES
// module whose default export is called as `render(element, shell)`, as on the dashboard.
import { api, me } from "./api.js";
import { el } from "./ui.js";

async function renderSection(section, element, shell) {
  try {
    const module = await import(section.module_url);
    await module.default(element, shell);
  } catch (error) {
    console.error(`admin section ${section.id} failed`, error);
    element.replaceChildren(el("p", { class: "error",
      text: "This section could not be loaded. Reload the page to try again." }));
  }
}

async function main() {
  const info = await me();
  if (!info) {
    window.location.replace("/signin");
    return;
  }
  if (info.user.guest) {
    window.location.replace("/left");
    return;
  }
  const status = document.getElementById("status");
  document.getElementById("user-name").textContent = info.user.name;
  document.getElementById("signout").addEventListener("click", async () => {
    await api("POST", "/auth/signout");
    window.location.replace("/signin");
  });
  if (!(info.user.roles || []).includes("admin")) {
    status.replaceChildren("Only your organisation's admins can use these pages. ",
      el("a", { href: "/dashboard", text: "Back to the dashboard" }));
    document.body.dataset.ready = "true";
    return;
  }
  const org = await api("GET", "/organisation");
  document.getElementById("org-name").textContent = org.name;
  const shell = { user: info.user, api, organisation: org };
  const { sections } = await api("GET", "/dashboard?page=admin");
  const container = document.getElementById("sections");
  const navList = document.getElementById("admin-nav-list");
  const rendering = [];
  for (const section of sections) {
    const heading = el("h2", { id: `admin-${section.id}-title`, text: section.title,
      tabindex: "-1" });
    const body = el("div", { class: "section-body" });
    container.append(el("section", { class: "card section admin-section",
      id: `admin-${section.id}`, "aria-labelledby": heading.id, "data-section": section.id },
    heading, body));
    navList.append(el("li", {}, el("a", { href: `#admin-${section.id}`, text: section.title })));
    rendering.push(renderSection(section, body, shell));
  }
  document.getElementById("admin-nav").hidden = sections.length === 0;
  status.hidden = true;
  status.textContent = "";
  await Promise.all(rendering);
  document.body.dataset.ready = "true";
}

main().catch((error) => {
  console.error(error);
  document.getElementById("status").textContent =
    "The admin pages could not be loaded. Check your connection and reload the page.";
});
