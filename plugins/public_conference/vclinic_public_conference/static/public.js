// The public link's page: the visitor gives the name the others will see and joins; the server
// makes them an anonymous guest and sends them on to the camera check.
const form = document.getElementById("public-join");
const status = document.getElementById("public-status");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = form.elements.display_name.value;
  status.textContent = "";
  try {
    const response = await fetch(location.pathname, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ display_name: name }),
    });
    if (response.redirected) {
      location.assign(response.url);
      return;
    }
    const body = await response.json().catch(() => null);
    status.textContent = (body && body.error && body.error.message) || "You could not join.";
  } catch {
    status.textContent = "The server could not be reached. Check your connection and try again.";
  }
});
