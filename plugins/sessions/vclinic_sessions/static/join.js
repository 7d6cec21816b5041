// The development guest join page (join.html): load the link's session, then join it.
const status = document.getElementById("status");
const info = await fetch("/api/v1/join", { credentials: "same-origin" });
const data = await info.json();
if (!info.ok) status.textContent = data.error.message;
else if (data.next) window.location.assign(data.next);
else document.getElementById("title").textContent = `Join ${data.session_name}`;
document.getElementById("join").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("/api/v1/join", {
    method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ display_name: document.getElementById("display-name").value }),
  });
  const body = await response.json();
  if (response.ok) window.location.assign(body.next);
  else status.textContent = body.error.message;
});
