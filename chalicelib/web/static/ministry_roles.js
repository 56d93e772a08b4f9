// The ministry's own people (docs/ACCESS.md, "Ministry roles"): its administrators' page to appoint
// and remove administrators, officials and data-protection auditors (`#/ministry-staff`), and the
// auditor's page (`#/audit`): for a stated case, a person's journal with who stood behind each entry.
// The personal code and the case are typed for one lookup and sent in the body, never put in the
// address or kept.
import { ApiError, api } from "./api.js";
import { currentLanguage, t } from "./i18n.js";
import { PERSON_ID, alertBox, current, h, path, problemText, show, typedPurpose } from "./ui.js";

const ROLES = ["ADMINISTRATOR", "OFFICIAL", "AUDITOR"]; // chalicelib/domain/access.py MINISTRY_ROLES

// The register's own words for a refusal (e.g. "you cannot remove yourself"), else the general ones.
function refusal(error) {
  if (error instanceof ApiError && !error.problem?.errors?.length && error.problem?.messages) {
    return error.problem.messages[currentLanguage()] ?? error.problem.messages.lt;
  }
  return problemText(error);
}

function isoDate(date) {
  return date.toISOString().slice(0, 10);
}

export async function ministryStaffPage(me) {
  const live = current();
  const [{ staff }, log] = await Promise.all([api("ministry/staff"), ministryLog()]);
  if (!live()) return null;
  const message = h("div", { "aria-live": "polite" });
  const act = async (call, done) => {
    try {
      await call();
      await ministryStaffPage(me);
      document.querySelector("#ministry-staff-message")?.replaceChildren(h("p", { role: "status", text: done }));
    } catch (error) {
      message.replaceChildren(alertBox(refusal(error)));
    }
  };
  message.id = "ministry-staff-message";
  const sections = ROLES.map((role) => {
    const held = staff.filter((entry) => entry.role === role);
    return h("section", {}, h("h2", { text: t(`ministryRole_${role}`) }),
      held.length ? h("ul", { class: "plain" }, held.map((entry) => {
        const name = entry.name || t("unknownPerson");
        return h("li", { class: "card" },
          h("p", {}, h("strong", { text: name }), entry.person_id === me.person_id ? ` (${t("ministryYou")})` : ""),
          h("p", { class: "muted", text: `${entry.valid_from} – ${entry.valid_to}${entry.valid_today ? "" : ` · ${t("ministryNotValidToday")}`}` }),
          // An administrator never removes themself (the register refuses it): no button to press.
          entry.person_id === me.person_id ? null : h("button", { type: "button", class: "link",
            text: `${t("remove")}: ${name} (${t(`ministryRole_${role}`)})`,
            onclick: () => act(() => api(path("ministry", "staff", role, entry.person_id), { method: "DELETE" }),
              t("ministryRemoved")) }));
      })) : h("p", { class: "empty", text: t("ministryNone") }));
  });
  const person = h("input", { id: "staff-code", inputmode: "numeric", required: true, autocomplete: "off" });
  const role = h("select", { id: "staff-role", required: true },
    ROLES.map((r) => h("option", { value: r, text: t(`ministryRoleOne_${r}`) })));
  const today = new Date();
  const inAYear = new Date(today.getTime() + 364 * 24 * 3600 * 1000);
  const from = h("input", { id: "staff-from", type: "date", required: true, value: isoDate(today) });
  const to = h("input", { id: "staff-to", type: "date", required: true, value: isoDate(inAYear) });
  const form = h("form", { onsubmit: (event) => {
    event.preventDefault();
    const personId = person.value.trim();
    if (!PERSON_ID.test(personId)) return message.replaceChildren(alertBox(t("checkCode")));
    return act(() => api(path("ministry", "staff", role.value, personId),
      { method: "PUT", body: { valid_from: from.value, valid_to: to.value } }), t("ministryAppointed"));
  } },
  h("p", {}, h("label", { for: "staff-code", text: t("personalCode") }), person),
  h("p", {}, h("label", { for: "staff-role", text: t("ministryRole") }), role),
  h("p", {}, h("label", { for: "staff-from", text: t("from") }), from),
  h("p", {}, h("label", { for: "staff-to", text: t("to") }), to),
  h("button", { type: "submit", text: t("ministryAppoint") }));
  return show(t("ministryStaff"), h("p", { text: t("ministryStaffIntro") }), message, ...sections,
    h("section", {}, h("h2", { text: t("ministryAppoint") }), form), log);
}

// Every appointment, change and removal of a ministry role, newest first: who acted, on whom, when.
const LOG_PAGE = 10;

async function ministryLog() {
  const first = await api(`ministry/log?limit=${LOG_PAGE}`);
  const list = h("ol", { class: "events", id: "ministry-log" }, first.entries.map(logEntry));
  let cursor = first.next_cursor;
  // Asks for the next page only with the cursor the last page gave, and is gone when there is none.
  const more = h("button", { type: "button", class: "more", text: t("more"), onclick: async () => {
    if (!cursor) return;
    const next = await api(`ministry/log?limit=${LOG_PAGE}&${new URLSearchParams({ cursor })}`);
    list.append(...next.entries.map(logEntry));
    cursor = next.next_cursor;
    more.hidden = !cursor;
  } });
  more.hidden = !cursor;
  return h("section", {}, h("h2", { text: t("ministryLog") }),
    first.entries.length ? list : h("p", { class: "empty", text: t("ministryLogEmpty") }), more);
}

function logEntry(entry) {
  return h("li", { class: "card" },
    h("p", {}, h("strong", { text: `${t(`ministryLog_${entry.action}`)}: ${t(`ministryRoleOne_${entry.role}`)}` }),
      " · ", new Date(entry.at).toLocaleString(t("locale"))),
    h("p", { text: `${t("personalCode")}: ${entry.person_id} · ${entry.valid_from} – ${entry.valid_to}` }),
    h("p", { class: "muted", text: `${t("ministryLogBy")}: ${entry.acted_by}` }));
}

// --- the data-protection auditor ------------------------------------------------------------------

export function auditPage() {
  const message = h("div", { "aria-live": "polite" });
  const results = h("div", {});
  const person = h("input", { id: "audit-code", inputmode: "numeric", required: true, autocomplete: "off" });
  const caseInput = h("input", { id: "audit-case", required: true, maxlength: "200", autocomplete: "off" });
  const form = h("form", { onsubmit: async (event) => {
    event.preventDefault();
    const personId = person.value.trim();
    const caseReference = typedPurpose(caseInput);
    if (!PERSON_ID.test(personId)) return message.replaceChildren(alertBox(t("checkCode")));
    if (!caseReference) return message.replaceChildren(alertBox(t("auditCaseRequired")));
    message.replaceChildren();
    try {
      await showJournal(results, { person_id: personId, case: caseReference });
    } catch (error) {
      results.replaceChildren();
      message.replaceChildren(alertBox(refusal(error)));
    }
    return null;
  } },
  h("p", {}, h("label", { for: "audit-code", text: t("personalCode") }), person),
  h("p", {}, h("label", { for: "audit-case", text: t("auditCase") }), caseInput),
  h("button", { type: "submit", text: t("auditLookUp") }));
  return show(t("audit"), h("p", { text: t("auditIntro") }), form, message, results);
}

const AUDIT_PAGE = 8;

async function showJournal(results, asked) {
  const first = await api("audit/journal", { method: "POST", body: { ...asked, limit: AUDIT_PAGE } });
  const list = h("ol", { class: "events" }, first.events.map(auditEntry));
  let cursor = first.next_cursor;
  // Each further page is another lookup, journaled like the first.
  const more = h("button", { type: "button", class: "more", text: t("more"), onclick: async () => {
    if (!cursor) return;
    const next = await api("audit/journal", { method: "POST", body: { ...asked, limit: AUDIT_PAGE, cursor } });
    list.append(...next.events.map(auditEntry));
    cursor = next.next_cursor;
    more.hidden = !cursor;
  } });
  more.hidden = !cursor;
  const who = `${first.person.given_name || ""} ${first.person.family_name || ""}`.trim() || t("unknownPerson");
  results.replaceChildren(h("section", {}, h("h2", { text: who }),
    h("p", { class: "muted", text: `${t("auditCase")}: ${first.case}` }),
    h("p", { text: t("auditJournaled") }), list, more));
}

function auditEntry(event) {
  const individual = event.individual;
  const name = individual ? `${individual.given_name || ""} ${individual.family_name || ""}`.trim() || t("unknownPerson") : null;
  return h("li", { class: "card" },
    h("p", {}, h("strong", { text: t(event.action) }), " · ", new Date(event.at).toLocaleString(t("locale"))),
    h("p", { text: `${t(`role_${event.actor.role}`)}${event.actor.institution_name ? `: ${event.actor.institution_name}` : ""}` }),
    individual
      ? h("p", { class: "individual" }, h("strong", { text: `${t("auditIndividual")}: ` }), `${name}, ${individual.person_id}`)
      : h("p", { class: "individual", text: `${t("auditIndividual")}: ${t("role_system")} (${event.system})` }),
    event.upload ? h("p", { class: "muted", text: `${t("auditUpload")}: ${event.upload.file_name} (${event.upload.upload_id})` }) : null,
    event.purpose ? h("p", { class: "muted", text: `${event.action === "AUDIT" ? t("auditCase") : t("purpose")}: ${event.purpose}` }) : null);
}
