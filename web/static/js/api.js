// The documented REST API, as used by every page: JSON in, JSON out, CSRF token on writes.
let csrfToken = null;

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `The server answered ${status}.`);
    this.status = status;
    this.code = error.code || "http_error";
    this.details = error.details || {};
  }
}

export async function api(method, path, body) {
  // A write needs the CSRF token, which GET /me hands out; fetch it once if no call has yet.
  if (method !== "GET" && !csrfToken) await api("GET", "/me").catch(() => null);
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  const response = await fetch(`/api/v1${path}`, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  if (data && data.csrf_token) csrfToken = data.csrf_token;
  return data;
}

// Every row of a paginated list (docs/api.md, Pagination): `key` of each page, following
// `next_cursor` until the last page (at most 500 pages of 200).
export async function apiAll(path, key) {
  const rows = [];
  let cursor = null;
  for (let pages = 0; pages < 500; pages += 1) {
    const query = new URLSearchParams({ limit: "200", ...(cursor ? { cursor } : {}) });
    const page = await api("GET", `${path}${path.includes("?") ? "&" : "?"}${query}`);
    rows.push(...page[key]);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return rows;
}

// Sends raw bytes (an image) with the CSRF token; JSON back, as `api`.
export async function upload(path, blob) {
  if (!csrfToken) await api("GET", "/me").catch(() => null);
  const response = await fetch(`/api/v1${path}`, {
    method: "POST", credentials: "same-origin", body: blob,
    headers: { Accept: "application/json", "Content-Type": blob.type,
      ...(csrfToken ? { "X-CSRF-Token": csrfToken } : {}) },
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export async function me() {
  try {
    return await api("GET", "/me");
  } catch (error) {
    if (error.status === 401) return null;
    throw error;
  }
}
