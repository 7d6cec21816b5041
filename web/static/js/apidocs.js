// The API reference pages (/docs, /redocs, /scalar): start the vendored renderer that the page
// names in <body data-renderer>, on this server's /openapi.json. Nothing is loaded from
// elsewhere: Scalar's web fonts are turned off, the pages' CSP allows this origin only.
const SPEC = "/openapi.json";
const renderer = document.body.dataset.renderer;

if (renderer === "swagger") {
  window.SwaggerUIBundle({
    url: SPEC,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
} else if (renderer === "redoc") {
  window.Redoc.init(SPEC, {}, document.getElementById("redoc"));
} else if (renderer === "scalar") {
  window.Scalar.createApiReference("#app", { url: SPEC, withDefaultFonts: false });
}
