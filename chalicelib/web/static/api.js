// Talking to the register's API. The access token is kept in this module's memory only: never in a
// URL, never in storage. It comes from the HttpOnly refresh cookie through POST auth/token (with a
// header a cross-site form cannot send) and is fetched again when it expires.
const CSRF = { "X-Requested-With": "mokiniu-registras" };
let token = null;
let refreshing = null;

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

async function fetchToken() {
  const response = await fetch("auth/token", { method: "POST", headers: CSRF, credentials: "same-origin" });
  token = response.ok ? (await response.json()).access_token : null;
  return token;
}

// Each refresh spends the refresh cookie and sets the next one; the server takes a second use of a
// spent cookie for theft and ends the session (docs/AUTH.md). So refreshes never overlap: calls in
// this tab share the one in flight, and the register's tabs take turns (Web Locks), each sending
// the cookie the previous turn set.
function refresh() {
  refreshing ??= (navigator.locks ? navigator.locks.request("mr-refresh", fetchToken) : fetchToken())
    .finally(() => { refreshing = null; });
  return refreshing;
}

export async function loggedIn() {
  return Boolean(token || (await refresh()));
}

export async function logout() {
  await fetch("auth/logout", { method: "POST", headers: CSRF, credentials: "same-origin" });
  token = null;
}

// `as: "blob"` for a file the API sends (the learner list), else the JSON answer.
export async function api(path, { method = "GET", body, headers = {}, as = "json" } = {}) {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (!token && !(await refresh())) throw new ApiError(401, { code: "auth.session" });
    const response = await fetch(path, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 403 && attempt === 0 && !(await response.clone().json().catch(() => ({}))).code?.startsWith("access.")) {
      token = null; // an expired token is refused by the gateway: get a fresh one once
      continue;
    }
    if (response.status === 204) return null;
    if (response.ok && as === "blob") return response.blob();
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }
  throw new ApiError(401, { code: "auth.session" });
}

// Routes anyone may call (a share link's view, checking a transcript): no token, no cookie.
export async function publicApi(path, { method = "GET", body } = {}) {
  const response = await fetch(path, {
    method, credentials: "omit", referrerPolicy: "no-referrer",
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// A presigned POST to the uploads bucket: the file goes straight to S3, not through the API.
export async function postFile(presigned, file) {
  const form = new FormData();
  for (const [name, value] of Object.entries(presigned.fields)) form.append(name, value);
  form.append("file", file);
  const response = await fetch(presigned.url, { method: "POST", body: form });
  if (!response.ok) throw new ApiError(response.status, { detail: "upload" });
}
