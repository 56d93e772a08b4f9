// The access token lives only in this page's memory: never in a URL or in storage.
// It is obtained from the HttpOnly refresh cookie through POST auth/token.
const CSRF_HEADER = { "X-Requested-With": "mokiniu-registras" };

async function accessToken() {
  const response = await fetch("auth/token", { method: "POST", headers: CSRF_HEADER, credentials: "same-origin" });
  return response.ok ? (await response.json()).access_token : null;
}

async function showWho() {
  const token = await accessToken();
  if (!token) return;
  const response = await fetch("me", { headers: { Authorization: "Bearer " + token } });
  if (!response.ok) return;
  const me = await response.json();
  document.getElementById("who").textContent = `${me.given_name} ${me.family_name}`;
  document.getElementById("roles").textContent = me.roles.join(", ");
  document.getElementById("anonymous").hidden = true;
  document.getElementById("signed-in").hidden = false;
}

document.getElementById("logout").addEventListener("click", async () => {
  await fetch("auth/logout", { method: "POST", headers: CSRF_HEADER, credentials: "same-origin" });
  window.location.reload();
});

showWho();
