// Permit applications (docs/APPLICATIONS.md): anyone's form and own applications (`#/apply`), the
// ministry's review (`#/applications`, `#/applications/<id>`), and an institution's own log
// (`#/institution-log/<iid>`, the ministry and the institution's administrators).
import { ApiError, api, publicApi } from "./api.js";
import { t } from "./i18n.js";
import { alertBox, current, h, inLanguage, main, path, problemText, show } from "./ui.js";

const APPLICATION_ID = /^[0-9]{9}-[0-9a-f]{16}$/; // chalicelib/models/applications.py
const INSTITUTION_ID = /^[A-Za-z0-9][A-Za-z0-9-]{2,39}$/; // chalicelib/domain/institutions.py
const LOG_PAGE = "limit=10";

// The register's answer in the page's language: each field's problem under the field's own label
// (never its API name), else the problem's own message.
function refusal(error, labels) {
  if (error instanceof ApiError && error.problem?.errors?.length) {
    return h("div", { role: "alert", class: "alert" }, h("p", { text: t("checkFields") }),
      h("ul", {}, error.problem.errors.map((e) => h("li", { text: `${labels[e.field] ?? t("application")}: ${inLanguage(e.messages)}` }))));
  }
  if (error instanceof ApiError && error.problem?.messages) return alertBox(inLanguage(error.problem.messages));
  return alertBox(problemText(error));
}

function when(iso) {
  return iso ? new Date(iso).toLocaleDateString(t("locale")) : "";
}

function scopeWords(scope) {
  return scope.includes("write") ? t("scopeReadWrite") : t("scopeReadOnly");
}

function facts(rows) {
  return h("dl", { class: "stacked" }, rows.filter(([, value]) => value).map(([label, value]) =>
    [h("dt", { text: label }), h("dd", {}, value)]));
}

function statusLine(application) {
  return h("p", {}, h("strong", { text: `${t("status")}: ${t(`applicationStatus_${application.status}`)}` }));
}

// --- anyone: apply, and see one's own applications ---------------------------------------------------

export async function applyPage(me) {
  const live = current();
  const [{ municipalities }, { applications }] = await Promise.all([publicApi("municipalities"), api("me/applications")]);
  if (!live()) return null;
  const field = (id, label, control) => h("p", {}, h("label", { for: id, text: label }), control);
  const inputs = {
    legal_entity_code: h("input", { id: "apply-code", inputmode: "numeric", autocomplete: "off" }),
    name: h("input", { id: "apply-name", autocomplete: "organization" }),
    municipality: h("select", { id: "apply-municipality" }, h("option", { value: "", text: t("chooseMunicipality") }),
      municipalities.map((m) => h("option", { value: m.code, text: inLanguage(m.name) }))),
    purpose: h("textarea", { id: "apply-purpose", rows: "3" }),
    programmes: h("textarea", { id: "apply-programmes", rows: "3", spellcheck: "false" }),
    responsible_person_id: h("input", { id: "apply-responsible", inputmode: "numeric", autocomplete: "off", value: me.person_id }),
  };
  const labels = { legal_entity_code: t("legalEntityCode"), name: t("providerName"), municipality: t("municipality"),
    scope: t("scopeAsked"), purpose: t("applicationPurpose"), programmes: t("programmes"),
    responsible_person_id: t("responsiblePerson") };
  const scopes = [["read", t("scopeReadOnly")], ["write", t("scopeReadWrite")]].map(([value, text]) =>
    [h("input", { id: `apply-scope-${value}`, type: "radio", name: "apply-scope", value, checked: value === "write" }), text]);
  const message = h("div", { "aria-live": "polite" });
  const form = h("form", { novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    for (const input of Object.values(inputs)) input.removeAttribute("aria-invalid");
    const chosen = scopes.find(([input]) => input.checked)[0].value;
    const body = {
      legal_entity_code: inputs.legal_entity_code.value, name: inputs.name.value, municipality: inputs.municipality.value,
      scope: chosen === "write" ? ["read", "write"] : ["read"], purpose: inputs.purpose.value,
      programmes: inputs.programmes.value.split("\n").map((line) => line.trim()).filter(Boolean),
      responsible_person_id: inputs.responsible_person_id.value,
    };
    try {
      await api("applications", { method: "POST", body });
      await applyPage(me);
      main.querySelector("#apply-result").replaceChildren(h("p", { class: "ok", text: t("applicationSubmitted") }));
    } catch (error) {
      for (const e of error.problem?.errors ?? []) inputs[e.field]?.setAttribute("aria-invalid", "true");
      message.replaceChildren(refusal(error, labels));
    }
  } },
  field("apply-code", labels.legal_entity_code, inputs.legal_entity_code),
  field("apply-name", labels.name, inputs.name),
  field("apply-municipality", labels.municipality, inputs.municipality),
  h("fieldset", {}, h("legend", { text: labels.scope }),
    scopes.map(([input, text]) => h("p", {}, input, " ", h("label", { for: input.id, text })))),
  field("apply-purpose", labels.purpose, inputs.purpose),
  field("apply-programmes", labels.programmes, inputs.programmes),
  h("p", { class: "muted", text: t("programmesHelp") }),
  field("apply-responsible", labels.responsible_person_id, inputs.responsible_person_id),
  h("p", { class: "muted", text: t("responsibleHelp") }),
  message,
  h("button", { type: "submit", text: t("submitApplication") }));
  return show(t("applyForPermit"), h("div", { id: "apply-result", "aria-live": "polite" }),
    h("section", {}, h("h2", { text: t("myApplications") }),
      applications.length ? h("ul", { class: "plain", id: "my-applications" }, applications.map(ownApplication))
        : h("p", { class: "empty", text: t("noApplications") })),
    h("section", {}, h("h2", { text: t("newApplication") }), h("p", { class: "muted", text: t("applyIntro") }), form));
}

function ownApplication(application) {
  return h("li", { class: "card" },
    h("h3", { text: application.name }),
    statusLine(application),
    facts([[t("legalEntityCode"), application.legal_entity_code], [t("submittedOn"), when(application.submitted_at)],
      [t("scopeAsked"), scopeWords(application.scope)], [t("decidedOn"), when(application.decided_at)],
      [t("ministryReason"), application.reason],
      [t("permitGranted"), application.permit
        ? `${scopeWords(application.permit.scope)}, ${application.permit.valid_from} – ${application.permit.valid_to}` : null]]),
    application.you_administer ? h("p", { class: "ok" }, t("youAdminister"), " ",
      h("a", { href: `#/institution-log/${encodeURIComponent(application.institution_id)}`, text: t("institutionLog") })) : null);
}

// --- the ministry: the queue, one application, the decision ------------------------------------------

export async function applicationsPage(argument) {
  if (argument) return APPLICATION_ID.test(argument) ? reviewPage(argument) : show(t("applications"), alertBox(t("notFound")));
  const live = current();
  const first = await api(`applications?${LOG_PAGE}`);
  if (!live()) return null;
  const item = (a) => h("li", { class: "card" },
    h("h3", {}, h("a", { href: `#/applications/${encodeURIComponent(a.application_id)}`, text: a.name })),
    h("p", { class: "muted", text: `${a.legal_entity_code} · ${inLanguage(a.municipality_name)} · ${when(a.submitted_at)}` }));
  const list = h("ul", { class: "plain", id: "pending-applications" }, first.applications.map(item));
  let cursor = first.next_cursor;
  const more = h("button", { type: "button", class: "more", text: t("more"), onclick: async () => {
    if (!cursor) return;
    const next = await api(`applications?${LOG_PAGE}&${new URLSearchParams({ cursor })}`);
    list.append(...next.applications.map(item));
    cursor = next.next_cursor;
    more.hidden = !cursor;
  } });
  more.hidden = !cursor;
  return show(t("pendingApplications"),
    first.applications.length ? list : h("p", { class: "empty", text: t("noPendingApplications") }), more);
}

async function reviewPage(applicationId) {
  const live = current();
  const application = await api(path("applications", applicationId));
  if (!live()) return null;
  const itself = path("applications", applicationId);
  const message = h("div", { "aria-live": "polite" });
  const decide = async (kind, body, labels) => {
    try {
      await api(`${itself}/${kind}`, { method: "POST", body });
      await reviewPage(applicationId);
      main.querySelector("#review-result").replaceChildren(h("p", { class: "ok", text: t(`decided_${kind}`) }));
    } catch (error) {
      message.replaceChildren(refusal(error, labels));
    }
  };
  const details = h("section", {}, statusLine(application), facts([
    [t("legalEntityCode"), application.legal_entity_code], [t("municipality"), inLanguage(application.municipality_name)],
    [t("scopeAsked"), scopeWords(application.scope)], [t("applicationPurpose"), application.purpose],
    [t("programmes"), application.programmes.join("; ")],
    [t("applicant"), `${application.applicant_name || ""} ${application.applicant_id}`.trim()],
    [t("responsible"), `${application.responsible_name || ""} ${application.responsible_person_id}`.trim()],
    [t("submittedOn"), when(application.submitted_at)], [t("decidedOn"), when(application.decided_at)],
    [t("ministryReason"), application.reason],
    [t("permitGranted"), application.permit
      ? `${scopeWords(application.permit.scope)}, ${application.permit.valid_from} – ${application.permit.valid_to}` : null]]),
  application.institution_id ? h("p", {}, h("a", { href: `#/institution-log/${encodeURIComponent(application.institution_id)}`, text: t("institutionLog") })) : null);
  const forms = application.status === "PENDING" ? decisionForms(application, decide) : [];
  return show(application.name, h("div", { id: "review-result", "aria-live": "polite" }), details, message, ...forms);
}

// Approving for a provider already registered adds a permit to that institution and makes the
// responsible person one more of its administrators: say so plainly before the approve button.
function existingInstitution(existing) {
  return h("div", { id: "existing-institution", class: "card existing", role: "note" },
    h("p", {}, h("strong", { text: t("existingInstitution") })),
    h("p", { text: `${existing.name} (${existing.institution_id})` }),
    h("p", { text: `${t("existingAdministrators")}: ${existing.administrators}` }),
    h("p", { class: "muted", text: t("existingApproval") }));
}

function decisionForms(application, decide) {
  const existing = application.existing_institution;
  const institution = h("input", { id: "approve-institution", autocomplete: "off",
    value: existing ? existing.institution_id : application.legal_entity_code });
  // Today in Vilnius (the register's dates, docs/ACCESS.md), not the browser's or UTC's.
  const today = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Vilnius" }).format(new Date());
  const from = h("input", { id: "approve-from", type: "date", value: today });
  const to = h("input", { id: "approve-to", type: "date" });
  // A permit is never wider than asked: writing is offered only when it was asked for.
  const write = application.scope.includes("write") ? h("input", { id: "approve-write", type: "checkbox", checked: true }) : null;
  const approveReason = h("textarea", { id: "approve-reason", rows: "2" });
  const rejectReason = h("textarea", { id: "reject-reason", rows: "3" });
  const labels = { institution_id: t("institutionId"), valid_from: t("from"), valid_to: t("to"), scope: t("grantScope"),
    reason: t("reasonOptional") };
  return [
    h("section", {}, h("h2", { text: t("approve") }),
      existing ? existingInstitution(existing) : null,
      h("form", { novalidate: true, onsubmit: (event) => {
        event.preventDefault();
        decide("approval", { institution_id: institution.value.trim() || null, valid_from: from.value, valid_to: to.value,
          scope: write?.checked ? ["read", "write"] : ["read"], reason: approveReason.value.trim() || null }, labels);
      } },
      h("p", {}, h("label", { for: "approve-institution", text: t("institutionId") }), institution),
      h("p", {}, h("label", { for: "approve-from", text: t("from") }), from),
      h("p", {}, h("label", { for: "approve-to", text: t("to") }), to),
      write ? h("p", {}, write, " ", h("label", { for: "approve-write", text: t("scopeWrite") })) : h("p", { class: "muted", text: `${t("grantScope")}: ${t("scopeReadOnly")}` }),
      h("p", {}, h("label", { for: "approve-reason", text: t("reasonOptional") }), approveReason),
      h("button", { type: "submit", text: t("approve") }))),
    h("section", {}, h("h2", { text: t("reject") }),
      h("form", { novalidate: true, onsubmit: (event) => {
        event.preventDefault();
        decide("rejection", { reason: rejectReason.value }, { reason: t("rejectReason") });
      } },
      h("p", {}, h("label", { for: "reject-reason", text: t("rejectReason") }), rejectReason),
      h("button", { type: "submit", text: t("reject") }))),
  ];
}

// --- an institution's own log -------------------------------------------------------------------------

export async function institutionLogPage(argument) {
  if (!argument || !INSTITUTION_ID.test(argument)) return show(t("institutionLog"), alertBox(t("notFound")));
  const live = current();
  const base = `${path("institutions", argument, "log")}?${LOG_PAGE}`;
  const first = await api(base);
  if (!live()) return null;
  const list = h("ol", { class: "events", id: "institution-log" }, first.entries.map(logEntry));
  let cursor = first.next_cursor;
  const more = h("button", { type: "button", class: "more", text: t("more"), onclick: async () => {
    if (!cursor) return;
    const next = await api(`${base}&${new URLSearchParams({ cursor })}`);
    list.append(...next.entries.map(logEntry));
    cursor = next.next_cursor;
    more.hidden = !cursor;
  } });
  more.hidden = !cursor;
  return show(`${t("institutionLog")}: ${argument}`,
    first.entries.length ? list : h("p", { class: "empty", text: t("logEmpty") }), more);
}

function logEntry(entry) {
  const d = entry.details;
  const by = `${t(`role_${entry.actor.role}`)}${entry.actor.person_id ? ` (${entry.actor.person_id})` : ""}`;
  return h("li", { class: "card" },
    h("p", {}, h("strong", { text: t(`logEvent_${entry.event}`) }), " · ", new Date(entry.at).toLocaleString(t("locale"))),
    facts([[t("actedBy"), by],
      [t("logPerson"), entry.person_id ? `${entry.person_name || ""} ${entry.person_id}`.trim() : null],
      [t("providerName"), d.name], [t("logRole"), d.role ? t(`logRole_${d.role}`) : null],
      [t("grantScope"), d.scope ? scopeWords(d.scope) : null],
      [t("validity"), d.valid_from && d.valid_to ? `${d.valid_from} – ${d.valid_to}` : null],
      [t("ministryReason"), d.reason]]));
}
