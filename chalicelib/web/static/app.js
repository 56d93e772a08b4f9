// The register's pages: a small front end over the same API that scripts use (docs/WEB.md).
// Everything shown is built with DOM calls (textContent), never by pasting HTML.
import { ApiError, api, loggedIn, logout, publicApi } from "./api.js";
import { currentLanguage, setLanguage, t } from "./i18n.js";
import { reportingPage } from "./reporting.js";
import { movementsPage } from "./movements.js";
import {
  heading, history, kindOf, kindTitle, loadKinds, period, recordTitle, renderSections, shownValue,
} from "./records.js";
import { school } from "./school.js";
import {
  BAD, PERSON_ID, SHARE_SECRET, alertBox, current, h, inLanguage, main, nav, navigate, parseAddress, path, problemText,
  saveFile, show,
} from "./ui.js";
import { municipality, officials } from "./officials.js";
import { auditPage, ministryStaffPage } from "./ministry_roles.js";
import { outside } from "./outside.js";
import { openDataPage, statisticsPage } from "./statistics.js";
import { applicationsPage, applyPage, institutionLogPage } from "./applications.js";

let me = null;

// --- navigation ---------------------------------------------------------------------------------

function renderNav() {
  const links = [["#/history", t("myHistory")], ["#/journal", t("journal")], ["#/shares", t("shares")]];
  for (const child of me.children || []) {
    links.push([`#/child/${encodeURIComponent(child.person_id)}`, `${t("childHistory")}: ${child.given_name || ""}`.trim()]);
  }
  if ((me.acts_for || []).length) links.push(["#/school", t("school")]); // staff of an institution, permit or not
  if (me.roles.includes("ministry")) links.push(["#/ministry", t("ministry")], ["#/officials", t("municipalityOfficials")]);
  if (me.roles.includes("ministry_administrator")) links.push(["#/ministry-staff", t("ministryStaff")]);
  if (me.roles.includes("auditor")) links.push(["#/audit", t("audit")]);
  if (me.roles.includes("municipality")) links.push(["#/municipality", t("myMunicipality")]);
  if (me.roles.includes("ministry") || me.roles.includes("municipality")) links.push(["#/reporting", t("reporting")]);
  if (me.roles.includes("ministry") || me.roles.includes("municipality")) links.push(["#/movements", t("overdueMovements")]);
  if (me.roles.includes("ministry") || me.roles.includes("municipality")) links.push(["#/outside", t("outsideTitle")]);
  if (me.roles.includes("ministry") || me.roles.includes("municipality")) links.push(["#/statistics", t("statistics")]);
  links.push(["#/apply", t("applyForPermit")]);
  if (me.roles.includes("ministry")) links.push(["#/applications", t("applications")]);
  const current = location.hash || "#/history";
  nav.replaceChildren(h("ul", {}, links.map(([href, text]) =>
    h("li", {}, h("a", { href, "aria-current": current === href || current.startsWith(`${href}/`) ? "page" : false, text })))),
  h("p", { class: "who" }, `${me.given_name || ""} ${me.family_name || ""}`,
    " ", h("button", { type: "button", class: "link", onclick: async () => { await logout(); location.hash = "#/"; location.reload(); }, text: t("logout") })));
  nav.hidden = false;
}

async function route() {
  const live = navigate();
  const { page, argument } = parseAddress(location.hash);
  // Pages for whoever holds a link or a transcript: no login, nothing of the visitor's own.
  if (page === "shared" || page === "verify") {
    nav.hidden = true;
    try {
      return page === "shared" ? await sharedView(argument) : verifyPage();
    } catch (error) {
      return live() ? show(t("failed"), alertBox(problemText(error))) : null;
    }
  }
  if (page === "open-data") { // public, like `verify`
    nav.hidden = true;
    return openDataPage();
  }
  if (!me) {
    if (!(await loggedIn())) return live() ? start() : null;
    me = await api("me");
  }
  if (!live()) return null;
  renderNav();
  try {
    if (page === "school") return await school(location.hash); // reads its own, longer addresses
    if (argument === BAD) return show(t("badLinkTitle"), alertBox(t("badLink")));
    if (page === "journal") return await journal();
    if (page === "shares") return await shares();
    if (page === "child") return await childHistory(argument);
    if (page === "ministry") return await ministry(argument);
    if (page === "reporting") return await reportingPage(me);
    if (page === "officials") return await officials(argument);
    if (page === "ministry-staff") return await ministryStaffPage(me);
    if (page === "audit") return auditPage();
    if (page === "municipality") return await municipality();
    if (page === "movements") return await movementsPage(me.roles.includes("ministry"), me.municipalities || []);
    if (page === "outside") return await outside(me, argument);
    if (page === "statistics") return await statisticsPage(me);
    if (page === "apply") return await applyPage(me);
    if (page === "applications") return await applicationsPage(argument);
    if (page === "institution-log") return await institutionLogPage(argument);
    return await history(null);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      // The session has ended (logged out in another tab, or ended by the server): log in again.
      me = null;
      return live() ? start() : null;
    }
    if (live()) show(t("failed"), alertBox(problemText(error)));
  }
  return null;
}

function start() {
  nav.hidden = true;
  show(t("brand"),
    h("p", { text: t("intro1") }), h("p", { text: t("intro2") }),
    h("p", { text: t("noRegistration") }),
    h("p", {}, h("a", { class: "button", href: "auth/login", text: t("login") })),
    h("p", { class: "muted", text: t("meansDown") }),
    h("p", {}, h("a", { href: "#/open-data", text: t("openData") })));
}

// --- history --------------------------------------------------------------------------------------

// A guardian reads the children `/me` lists, and only those: a link naming anyone else reads nothing.
async function childHistory(personId) {
  const child = (me.children || []).find((candidate) => candidate.person_id === personId);
  if (!child) return show(t("childHistory"), alertBox(t("notYourChild")));
  return history(child.person_id, { title: t("childHistory"), query: { purpose: "guardian" } });
}

// --- journal --------------------------------------------------------------------------------------

const JOURNAL_PAGE = "limit=8"; // a phone's screenful or two of entries

async function journal() {
  const live = current();
  const [first] = await Promise.all([api(`me/journal?${JOURNAL_PAGE}`), loadKinds()]);
  if (!live()) return null;
  if (!first.events.length) return show(t("journal"), h("p", { class: "empty", text: t("journalEmpty") }));
  const list = h("ol", { class: "events" }, first.events.map(journalEntry));
  let cursor = first.next_cursor;
  // Asks for the next page only with the cursor the last page gave, and is gone when there is none.
  const more = h("button", { type: "button", class: "more", text: t("more"), onclick: async () => {
    if (!cursor) return;
    const next = await api(`me/journal?${JOURNAL_PAGE}&${new URLSearchParams({ cursor })}`);
    list.append(...next.events.map(journalEntry));
    cursor = next.next_cursor;
    more.hidden = !cursor;
  } });
  more.hidden = !cursor;
  return show(t("journal"), list, more);
}

function journalEntry(event) {
  return h("li", { class: "card" },
    h("p", {}, h("strong", { text: t(event.action) }), " · ", new Date(event.at).toLocaleString(t("locale"))),
    h("p", { text: `${t(`role_${event.actor.role}`)}${event.actor.institution_name ? `: ${event.actor.institution_name}` : ""}` }),
    // A data-protection audit states its case (a complaint's number): the citizen sees which.
    event.purpose ? h("p", { class: "muted", text: `${event.action === "AUDIT" ? t("auditCase") : t("purpose")}: ${event.purpose}` }) : null,
    journalChange(event));
}

// Which record a write concerned (its kind and title) and, for a correction, each field that
// changed, old → new, labelled as the history labels it. The journal keeps the fields before and
// after (`before`/`after`); a record created shows its title, an annulled one what it was.
function journalChange(event) {
  const before = event.before || {};
  const after = event.after || {};
  if (after.moved_to_another_person) return h("p", { class: "change", text: t("journalMoved") });
  // The ministry appointed, changed or removed one of its roles for the person: which, and when valid.
  const role = after.ministry_role || before.ministry_role;
  if (role) {
    const period = (side) => (side.ministry_role ? `${side.valid_from} – ${side.valid_to}` : "—");
    return h("p", { class: "change", text: `${t(`ministryRoleOne_${role}`)}: ${period(before)} → ${period(after)}` });
  }
  const shown = after.kind ? after : before;
  if (!shown.kind) return null;
  const kind = kindOf(shown.kind);
  const named = heading(shown);
  const title = named && shown[named.name] ? `${kindTitle(shown.kind)}: ${shownValue(named, shown[named.name])}`
    : kindTitle(shown.kind);
  if (!event.before || !event.after) return h("p", { class: "change", text: title });
  const changed = (kind?.fields ?? [])
    .filter((field) => (before[field.name] ?? "") !== (after[field.name] ?? ""))
    .map((field) => h("li", { text: `${inLanguage(field.label)}: ${shownValue(field, before[field.name]) ?? "—"} → ${shownValue(field, after[field.name]) ?? "—"}` }));
  return h("div", { class: "change" }, h("p", { text: title }), changed.length ? h("ul", {}, changed) : null);
}

// --- sharing and proving --------------------------------------------------------------------------

async function allRecords() {
  const records = [];
  let cursor = null;
  do {
    const page = await api(`me/history?${new URLSearchParams({ limit: "100", ...(cursor ? { cursor } : {}) })}`);
    records.push(...page.records);
    cursor = page.next_cursor;
  } while (cursor);
  return records;
}

function isoDate(date) {
  return date.toISOString().slice(0, 10);
}

function shareLabel(record) {
  const title = recordTitle(record);
  const where = record.institution_name;
  return where && where !== title ? `${title} · ${where}` : `${title} · ${kindTitle(record.kind)}`;
}

async function shares() {
  const live = current();
  const [records, { shares: links }] = await Promise.all([allRecords(), api("me/shares"), loadKinds()]);
  if (!live()) return;
  const message = h("div", { "aria-live": "polite" });
  const today = new Date();
  const expires = h("input", { id: "share-expires", type: "date", required: true,
    min: isoDate(new Date(today.getTime() + 86400000)), max: isoDate(new Date(today.getTime() + 365 * 86400000)),
    value: isoDate(new Date(today.getTime() + 30 * 86400000)) });
  const boxes = records.map((record) => [record, h("input", { id: `share-${record.record_id}`, type: "checkbox", value: record.record_id })]);
  const create = h("form", { onsubmit: async (event) => {
    event.preventDefault();
    const chosen = boxes.filter(([, box]) => box.checked).map(([, box]) => box.value);
    if (!chosen.length) return message.replaceChildren(alertBox(t("chooseRecords")));
    try {
      const created = await api("me/shares", { method: "POST", body: { record_ids: chosen, expires_on: expires.value } });
      await shares();
      main.querySelector("#share-result").replaceChildren(
        h("p", { text: t("linkCreated") }),
        h("p", {}, h("label", { for: "share-url", text: t("link") }), h("input", { id: "share-url", readonly: true, value: created.url })),
        h("button", { type: "button", text: t("copy"), onclick: () => navigator.clipboard?.writeText(created.url) }));
    } catch (error) {
      message.replaceChildren(alertBox(problemText(error)));
    }
    return null;
  } },
  h("fieldset", {}, h("legend", { text: t("chooseRecords") }),
    boxes.map(([record, box]) => h("p", {}, box, " ", h("label", { for: box.id, text: shareLabel(record) })))),
  h("p", {}, h("label", { for: "share-expires", text: t("expiresOn") }), expires),
  h("button", { type: "submit", text: t("createLink") }));
  const listed = links.length ? h("ul", { class: "plain" }, links.map((link) => h("li", { class: "card" },
    h("p", { text: `${t("expiresOn")}: ${link.expires_on} · ${t("recordsShared")}: ${link.record_ids.length} · ${t("views")}: ${link.views}` }),
    link.revoked ? h("p", { class: "muted", text: t("revoked") })
      : h("button", { type: "button", text: t("revokeLink"), onclick: async () => {
        try { await api(path("me", "shares", link.share_id), { method: "DELETE" }); await shares(); } catch (error) { message.replaceChildren(alertBox(problemText(error))); }
      } }))))
    : h("p", { class: "empty", text: t("noLinks") });
  const includeCode = h("input", { id: "include-code", type: "checkbox" });
  const transcriptButton = h("button", { type: "button", text: t("downloadTranscript"), onclick: async () => {
    try {
      const { transcript } = await api(`me/transcript?include_personal_code=${includeCode.checked}`);
      saveFile(new Blob([transcript], { type: "application/vc+jwt" }), "mokymosi-istorija.jwt");
    } catch (error) {
      message.replaceChildren(alertBox(problemText(error)));
    }
  } });
  show(t("shares"), message,
    h("section", {}, h("h2", { text: t("createLink") }), h("p", { class: "muted", text: t("shareHelp") }),
      records.length ? create : h("p", { class: "empty", text: t("emptyHistory") }), h("div", { id: "share-result", "aria-live": "polite" })),
    h("section", {}, h("h2", { text: t("yourLinks") }), listed),
    h("section", {}, h("h2", { text: t("transcript") }), h("p", { class: "muted", text: t("transcriptHelp") }),
      h("p", {}, includeCode, " ", h("label", { for: "include-code", text: t("includeCode") })),
      transcriptButton, h("p", {}, h("a", { href: "#/verify", text: t("verify") }))));
}

async function sharedView(secret) {
  const live = current();
  if (typeof secret !== "string" || !SHARE_SECRET.test(secret)) return show(t("sharedTitle"), alertBox(t("linkInvalid")));
  let view;
  try {
    [view] = await Promise.all([publicApi(path("shared", secret)), loadKinds()]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return live() ? show(t("sharedTitle"), alertBox(t("linkInvalid"))) : null;
    throw error;
  }
  if (!live()) return null;
  const holder = h("div", {});
  show(`${t("sharedTitle")}: ${view.person.given_name || ""} ${view.person.family_name || ""}`.trim(),
    h("p", { class: "muted", text: `${t("validUntil")}: ${view.expires_on}` }), holder);
  const kinds = [...new Set(view.records.map((record) => record.kind))];
  renderSections(holder, { records: view.records, sections: kinds.map((kind) => ({ kind, record_ids: view.records.filter((r) => r.kind === kind).map((r) => r.record_id) })) });
  return null;
}

function verifyPage() {
  const pasted = h("textarea", { id: "transcript", rows: "6", required: true, spellcheck: "false" });
  const result = h("div", { id: "verify-result", "aria-live": "polite" });
  show(t("verify"), h("p", { text: t("verifyHelp") }),
    h("form", { onsubmit: async (event) => {
      event.preventDefault();
      try {
        const [checked] = await Promise.all([
          publicApi("transcripts/verify", { method: "POST", body: { transcript: pasted.value.trim() } }), loadKinds()]);
        const subject = checked.credential.credentialSubject || {};
        const facts = h("dl", {}, [[t("holder"), `${subject.given_name || ""} ${subject.family_name || ""}`.trim()],
          [t("born"), subject.birth_date || ""],
          [t("issued"), new Date(checked.issued_at * 1000).toISOString().slice(0, 10)],
          [t("recordsShared"), (subject.records || []).length]].map(([label, value]) => [h("dt", { text: label }), h("dd", { text: value })]));
        // Signed and unchanged, but records it states were annulled or changed since: say which.
        result.replaceChildren(...(checked.valid ? [h("p", { class: "ok", text: t("transcriptValid") })]
          : [alertBox(t("transcriptWithdrawn")), h("ul", { id: "withdrawn" }, checked.withdrawn.map((w) =>
            h("li", { text: `${recordTitle(w.record)} (${period(w.record)}): ${t(`change_${w.change}`)}` })))]), facts);
      } catch (error) {
        result.replaceChildren(alertBox(error instanceof ApiError && error.status === 422 ? t("transcriptInvalid") : problemText(error)));
      }
    } },
    h("p", {}, h("label", { for: "transcript", text: t("pasteTranscript") }), pasted),
    h("button", { type: "submit", text: t("check") })), result);
}

// --- ministry -------------------------------------------------------------------------------------

async function ministry(argument) {
  const live = current();
  const { institutions } = await api("institutions");
  if (!live()) return null;
  if (!argument) {
    return show(t("institutions"), h("ul", { class: "plain" }, institutions.map((i) =>
      h("li", {}, h("a", { href: `#/ministry/${encodeURIComponent(i.institution_id)}`, text: `${i.name} (${inLanguage(i.municipality_name)})` })))));
  }
  // Only an institution the register listed: a link naming anything else asks nothing more.
  const institution = institutions.find((i) => i.institution_id === argument);
  if (!institution) return show(t("institutions"), alertBox(t("notFound")));
  const [{ permits }, { representatives }] = await Promise.all([
    api(path("institutions", argument, "permits")), api(path("institutions", argument, "staff"))]);
  if (!live()) return null;
  const refresh = () => ministry(argument);
  const message = h("div", { "aria-live": "polite" });
  const act = async (call) => { try { await call(); await refresh(); } catch (error) { message.replaceChildren(alertBox(problemText(error))); } };
  const from = h("input", { id: "valid-from", type: "date", required: true });
  const to = h("input", { id: "valid-to", type: "date", required: true });
  const write = h("input", { id: "scope-write", type: "checkbox", checked: true });
  const person = h("input", { id: "representative", inputmode: "numeric", required: true });
  show(institution.name,
    message,
    h("section", {}, h("h2", { text: t("permits") }),
      h("ul", { class: "plain" }, permits.map((p) => h("li", { class: "card" },
        h("p", { text: `${p.valid_from} – ${p.valid_to} · ${p.scope.map((scope) => t(`scope_${scope}`)).join(", ")} · ${t(`state_${p.state}`)}` }),
        p.state === "ACTIVE" ? h("button", { type: "button", text: t("revoke"), onclick: () => act(() => api(path("institutions", argument, "permits", p.permit_id), { method: "DELETE" })) }) : null))),
      h("form", { onsubmit: (event) => { event.preventDefault(); act(() => api(path("institutions", argument, "permits"), { method: "POST", body: { scope: write.checked ? ["read", "write"] : ["read"], valid_from: from.value, valid_to: to.value } })); } },
        h("h3", { text: t("grant") }),
        h("p", {}, h("label", { for: "valid-from", text: t("from") }), from),
        h("p", {}, h("label", { for: "valid-to", text: t("to") }), to),
        h("p", {}, write, " ", h("label", { for: "scope-write", text: t("scopeWrite") })),
        h("button", { type: "submit", text: t("grant") }))),
    h("section", {}, h("h2", { text: t("representatives") }),
      h("p", {}, h("a", { href: `#/school/${encodeURIComponent(argument)}/staff`, text: t("staffWithValidity") })), // school.js
      h("ul", { class: "plain" }, representatives.map((r) => h("li", {}, `${r.name} `,
        h("button", { type: "button", class: "link", text: t("remove"), onclick: () => act(() => api(path("institutions", argument, "staff", r.person_id), { method: "DELETE" })) })))),
      h("form", { onsubmit: (event) => {
        event.preventDefault();
        const personId = person.value.trim();
        if (!PERSON_ID.test(personId)) return message.replaceChildren(alertBox(t("checkCode")));
        return act(() => api(path("institutions", argument, "staff", personId), { method: "PUT" }));
      } },
        h("p", {}, h("label", { for: "representative", text: t("personalCode") }), person),
        h("button", { type: "submit", text: t("addRepresentative") }))));
}

// --- start ----------------------------------------------------------------------------------------

document.getElementById("language").addEventListener("click", async (event) => {
  const chosen = event.target.closest("button[data-language]");
  if (!chosen) return;
  await setLanguage(chosen.dataset.language);
  route();
});
window.addEventListener("hashchange", route);
setLanguage(currentLanguage());
route();
