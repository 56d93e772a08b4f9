// The school's pages (docs/WEB.md, "School"): everything a representative may do through the API,
// for the institution they choose to act for. Addresses:
//   #/school                 the institution (one) or the choice of institution (several)
//   #/school/<iid>           the institution's page: uploads, their history, templates, movements,
//                            find a pupil, the learner list, links to the pages below
//   #/school/<iid>/pupil     find a pupil (a result is shown here, never read from the address)
//   #/school/<iid>/record    enter one record of any kind
//   #/school/<iid>/staff     its representatives (the institution's administrator, the ministry)
//   #/school/<code>          an older link: fills in the pupil form's code, reads nothing
// The institution in the address only says which one the person chose: `/me` is asked on every
// page (a removed representative sees it at once) and the API checks every request anyway.
import { api, postFile } from "./api.js";
import { currentLanguage, t } from "./i18n.js";
import { schoolMovements } from "./movements.js";
import { declaredKinds, describe, heading, history, kindOf, loadKinds, recordTitle } from "./records.js";
import { schoolReporting } from "./reporting.js";
import {
  PERSON_ID, alertBox, current, h, inLanguage, main, navigate, path, problemText, purposeInput, saveFile, show,
  typedPurpose,
} from "./ui.js";

const VIEWS = new Set(["pupil", "record", "staff"]);
const ADMINISTRATOR = "ADMINISTRATOR";

export async function school(hash) {
  const live = current();
  const address = parse(hash);
  if (address === null) return badLink();
  const me = await api("me");
  if (!live()) return null;
  const acting = me.acts_for || [];
  const ministry = me.roles.includes("ministry");
  const { first, view } = address;
  if (first === null) {
    if (acting.length === 1) {
      window.history.replaceState(null, "", `#/school/${encodeURIComponent(acting[0].institution_id)}`);
      return home(acting[0], acting);
    }
    return acting.length ? chooser(acting) : show(t("school"), alertBox(t("noAccess")));
  }
  // Older links: `#/school/<code>` fills in the pupil form's code; `#/school/pupil` is the form.
  if (view === null && (PERSON_ID.test(first) || first === "pupil")) {
    const reader = acting.find((i) => i.scopes.includes("read"));
    if (!reader) return show(t("school"), alertBox(t("noAccess")));
    return findPupilPage(reader, acting, first === "pupil" ? "" : first);
  }
  let institution = acting.find((i) => i.institution_id === first);
  if (!institution && ministry && view === "staff") {
    // The ministry manages any institution's staff: one the register lists, nothing else.
    const { institutions } = await api("institutions");
    if (!live()) return null;
    const listed = institutions.find((i) => i.institution_id === first);
    if (listed) institution = { institution_id: listed.institution_id, name: listed.name, role: null, scopes: [] };
  }
  // Not one the person acts for today: a crafted link, or one they were removed from since.
  if (!institution) return badLink("notActingFor");
  if (view === null) return home(institution, acting);
  if (view === "pupil") return findPupilPage(institution, acting, "");
  if (view === "record") return recordPage(institution, acting);
  return staffPage(institution, acting, me.person_id);
}

// `#/school[/<first>[/<view>]]`, each part decoded once; anything else (more parts, a stray `%`,
// an unknown view) is a bad link and asks the API nothing about it.
function parse(hash) {
  const parts = hash.replace(/^#\/?school\/?/, "").split("/");
  if (parts.length > 2 || (parts.length === 2 && !VIEWS.has(parts[1]))) return null;
  if (parts[0] === "") return parts.length === 1 ? { first: null, view: null } : null;
  try {
    return { first: decodeURIComponent(parts[0]), view: parts[1] ?? null };
  } catch {
    return null;
  }
}

function badLink(key = "badLink") {
  return show(t("badLinkTitle"), alertBox(t(key)));
}

function schoolAddress(institution, view) {
  return `#/school/${encodeURIComponent(institution.institution_id)}${view ? `/${view}` : ""}`;
}

// Who the person acts as here: role and what the permit allows, in the page's language.
function standing(institution) {
  const role = t(`staffRole_${institution.role}`);
  const scopes = institution.scopes.length
    ? institution.scopes.map((scope) => t(`scope_${scope}`)).join(", ") : t("noValidPermit");
  return `${role} · ${t("permitAllows")}: ${scopes}`;
}

// Under every page's title: which institution the page acts for, and (for several) the choice.
function actingBar(institution, acting, view) {
  const others = acting.filter((i) => i.institution_id !== institution.institution_id);
  const select = h("select", { id: "institution" }, acting.map((i) => h("option", {
    value: i.institution_id, selected: i.institution_id === institution.institution_id, text: i.name })));
  return h("div", { class: "acting", id: "acting-for" },
    h("p", {}, h("strong", { text: `${t(institution.role ? "actingFor" : "institution")}: ` }), institution.name),
    institution.role ? h("p", { class: "muted", text: standing(institution) }) : null, // not the ministry's
    view ? h("p", {}, h("a", { text: t("backToSchool"), href: institution.role ? schoolAddress(institution, null)
      : `#/ministry/${encodeURIComponent(institution.institution_id)}` })) : null, // the ministry's own page
    others.length ? h("form", { class: "switch", onsubmit: (event) => {
      event.preventDefault();
      const chosen = acting.find((i) => i.institution_id === select.value);
      if (chosen) location.hash = schoolAddress(chosen, view);
    } },
    h("p", {}, h("label", { for: "institution", text: t("chooseInstitution") }), select),
    h("button", { type: "submit", text: t("switchInstitution") })) : null);
}

function chooser(acting) {
  return show(t("chooseInstitution"), h("p", { text: t("chooseInstitutionHelp") }),
    h("ul", { class: "plain", id: "institutions" }, acting.map((i) => h("li", { class: "card" },
      h("h2", {}, h("a", { href: schoolAddress(i, null), text: i.name })),
      h("p", { class: "muted", text: standing(i) })))));
}

// --- the institution's page -----------------------------------------------------------------------

function home(institution, acting) {
  const links = h("ul", { class: "plain links", id: "school-links" },
    institution.scopes.includes("read") ? h("li", {}, h("a", { href: schoolAddress(institution, "pupil"), text: t("findPupil") })) : null,
    institution.scopes.includes("write") ? h("li", {}, h("a", { href: schoolAddress(institution, "record"), text: t("newRecord") })) : null,
    institution.role === ADMINISTRATOR ? h("li", {}, h("a", { href: schoolAddress(institution, "staff"), text: t("manageStaff") })) : null,
    // The institution's own log of permits and staff changes (applications.js), its administrator's to read.
    institution.role === ADMINISTRATOR ? h("li", {}, h("a", { href: `#/institution-log/${encodeURIComponent(institution.institution_id)}`, text: t("institutionLog") })) : null);
  const title = `${t("school")}: ${institution.name}`;
  if (!institution.scopes.includes("read")) {
    // Staff with no valid permit: nothing of the pupils' data, only why (and the staff page).
    return show(title, actingBar(institution, acting, null), alertBox(t("noPermitHere")), links);
  }
  const reporting = schoolReporting(institution);
  const lang = currentLanguage() === "en" ? "en" : "lt"; // the templates' headers: Lithuanian or English
  return show(title, actingBar(institution, acting, null), links, reporting.notice,
    schoolMovements(institution),
    institution.scopes.includes("write") ? h("section", {}, h("h2", { text: t("upload") }), ...uploadForm(institution, reporting)) : null,
    reporting.history,
    h("section", {}, h("h2", { text: t("templates") }),
      h("ul", {}, h("li", {}, h("a", { href: `templates/upload?format=csv&lang=${lang}`, text: "CSV" })),
        h("li", {}, h("a", { href: `templates/upload?format=xlsx&lang=${lang}`, text: "XLSX" })))),
    h("section", {}, h("h2", { text: t("findPupil") }), pupilForm(institution, "")),
    h("section", {}, h("h2", { text: t("learnerList") }), learnerListForm(institution)));
}

function uploadForm(institution, reporting) {
  const file = h("input", { id: "file", type: "file", accept: ".csv,.xlsx", required: true });
  const dryRun = h("input", { id: "dry-run", type: "checkbox" });
  const result = h("div", { id: "upload-result", "aria-live": "polite" });
  const drop = h("div", { class: "drop", text: t("uploadHelp") });
  drop.addEventListener("dragover", (event) => event.preventDefault());
  drop.addEventListener("drop", (event) => { event.preventDefault(); file.files = event.dataTransfer.files; });
  const form = h("form", { onsubmit: async (event) => {
    event.preventDefault();
    result.replaceChildren(h("p", { text: t("loading") }));
    try {
      const chosen = file.files[0];
      const started = await api(path("institutions", institution.institution_id, "uploads"), { method: "POST", body: { file_name: chosen.name, dry_run: dryRun.checked } });
      await postFile(started, chosen);
      await followUpload(institution.institution_id, started.upload_id, result);
      reporting.reload();
    } catch (error) {
      result.replaceChildren(alertBox(problemText(error)));
    }
  } },
  drop,
  h("p", {}, h("label", { for: "file", text: t("chooseFile") }), file),
  h("p", {}, dryRun, " ", h("label", { for: "dry-run", text: t("dryRun") })),
  h("button", { type: "submit", text: t("send") }));
  return [form, result];
}

async function followUpload(institutionId, uploadId, target) {
  for (let i = 0; i < 120; i += 1) {
    const upload = await api(path("institutions", institutionId, "uploads", uploadId));
    if (!["PENDING", "PROCESSING"].includes(upload.status)) return target.replaceChildren(uploadReport(upload));
    target.replaceChildren(h("p", { text: `${t("status")}: ${t(`status_${upload.status}`)}` }));
    await new Promise((resolve) => { setTimeout(resolve, 1000); });
  }
  return null;
}

function uploadReport(upload) {
  const lang = currentLanguage();
  return h("div", { class: "report" },
    h("h3", { text: `${t("status")}: ${t(`status_${upload.status}`)}` }),
    h("dl", {}, [["rowsRead", upload.rows_read], ["rowsWritten", upload.rows_written], ["rowsRejected", upload.rows_rejected]]
      .map(([label, value]) => [h("dt", { text: t(label) }), h("dd", { text: value })])),
    upload.errors.length ? h("table", {},
      h("thead", {}, h("tr", {}, [t("line"), t("column"), t("error")].map((text) => h("th", { scope: "col", text })))),
      h("tbody", {}, upload.errors.map((e) => h("tr", {}, h("td", { text: e.line }), h("td", { text: e.column }),
        h("td", { text: e.messages[lang] ?? e.messages.lt }))))) : null,
    upload.report ? h("p", {}, h("a", { href: upload.report.json, text: t("reportJson") }), " · ",
      h("a", { href: upload.report.csv, text: t("reportCsv") })) : null);
}

// The list names every current learner and is journaled in each one's history: it is made only when
// the button is pressed with a purpose typed in, never by opening an address.
function learnerListForm(institution) {
  const purpose = purposeInput("export-purpose");
  const formats = ["csv", "xlsx"].map((format) => [format,
    h("input", { id: `export-${format}`, type: "radio", name: "export-format", value: format, checked: format === "csv" })]);
  const result = h("div", { id: "export-result", "aria-live": "polite" });
  return h("form", { novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const why = typedPurpose(purpose);
    if (!why) return result.replaceChildren(alertBox(t("purposeNeeded")));
    const format = formats.find(([, input]) => input.checked)[0];
    result.replaceChildren(h("p", { text: t("loading") }));
    try {
      const file = await api(`${path("institutions", institution.institution_id, "learners")}?${new URLSearchParams({ format, purpose: why })}`, { as: "blob" });
      saveFile(file, `besimokantys-${institution.institution_id}.${format}`);
      result.replaceChildren(h("p", { text: t("listSaved") }));
    } catch (error) {
      result.replaceChildren(alertBox(problemText(error)));
    }
    return null;
  } },
  h("p", { class: "muted", text: t("learnerListHelp") }),
  h("p", {}, h("label", { for: "export-purpose", text: t("purpose") }), purpose),
  h("fieldset", {}, h("legend", { text: t("format") }),
    formats.map(([format, input]) => h("p", {}, input, " ", h("label", { for: input.id, text: format.toUpperCase() })))),
  h("button", { type: "submit", text: t("downloadList") }),
  result);
}

// --- a pupil: find, read, correct, annul ------------------------------------------------------------

function findPupilPage(institution, acting, code) {
  show(t("findPupil"), actingBar(institution, acting, "pupil"), pupilForm(institution, code));
}

// A pupil's history is read only from here, when the button is pressed with a purpose typed in.
// The result is shown at `#/school/<iid>/pupil` (pushed to the browser's history without reading
// again); that address opened by itself is the empty form. The code never goes in an address.
function pupilForm(institution, code) {
  const codeInput = h("input", { id: "personal-code", inputmode: "numeric", autocomplete: "off", required: true, value: code });
  const purpose = purposeInput("purpose");
  const message = h("div", { "aria-live": "polite" });
  return h("form", { novalidate: true, onsubmit: (event) => {
    event.preventDefault();
    const personId = codeInput.value.trim();
    const why = typedPurpose(purpose);
    if (!PERSON_ID.test(personId)) return message.replaceChildren(alertBox(t("checkCode")));
    if (!why) return message.replaceChildren(alertBox(t("purposeNeeded")));
    window.history.pushState(null, "", schoolAddress(institution, "pupil"));
    return navigated(() => pupil(institution, personId, why));
  } },
  h("p", {}, h("label", { for: "personal-code", text: t("personalCode") }), codeInput),
  h("p", {}, h("label", { for: "purpose", text: t("purpose") }), purpose),
  h("button", { type: "submit", text: t("find") }),
  message);
}

// A page shown by pressing a button rather than by opening an address: it counts as a navigation,
// so a page still loading from before does not overwrite it.
async function navigated(render) {
  const live = navigate();
  try {
    await render();
  } catch (error) {
    if (live()) show(t("failed"), alertBox(problemText(error)));
  }
}

async function pupil(institution, personId, purpose) {
  const writes = institution.scopes.includes("write");
  await history(personId, {
    title: t("pupilHistory"),
    query: { purpose, institution_id: institution.institution_id },
    extra: (record) => (writes && record.institution_id === institution.institution_id ? recordActions(institution, record) : null),
  });
}

// Correct and annul, on each card of a record this institution wrote.
function recordActions(institution, record) {
  const recordPath = path("institutions", institution.institution_id, "records", record.record_id);
  const outcome = h("div", { class: "outcome", "aria-live": "polite" });
  const panel = h("div", {});
  const buttons = h("p", { class: "actions" },
    h("button", { type: "button", class: "link", text: t("edit"), onclick: () => open(correctionForm) }),
    h("button", { type: "button", class: "link", text: t("annul"), onclick: () => open(annulmentForm) }));
  async function open(form) {
    try {
      const detail = await api(recordPath); // the version now, which a correction or annulment must name
      panel.replaceChildren(form(detail, recordPath, (saved, text) => done(saved, text)));
      panel.querySelector("input, select")?.focus();
    } catch (error) {
      panel.replaceChildren(alertBox(problemText(error)));
    }
  }
  async function done(saved, text) {
    panel.replaceChildren();
    const card = outcome.closest("article");
    if (saved.status === "ANNULLED") {
      buttons.remove();
      card.classList.add("annulled");
      outcome.replaceChildren(h("p", { class: "ok", text: `${t("annulledRecord")} · ${t("version")} ${saved.version}` }));
      return;
    }
    outcome.replaceChildren(h("p", { class: "ok", text: `${text} · ${t("version")} ${saved.version}` }));
    // The card shows the record as it is now.
    const now = await api(recordPath).catch(() => null);
    if (now) {
      if (heading(now)) card.querySelector("h3").textContent = recordTitle(now);
      card.querySelector("dl").replaceChildren(...describe(now).flatMap(([label, value]) => [h("dt", { text: label }), h("dd", { text: value })]));
    }
  }
  return h("div", { class: "record-actions" }, buttons, panel, outcome);
}

function correctionForm(detail, recordPath, done) {
  const kind = kindOf(detail.kind);
  const form = recordFields(kind.fields, detail, `edit-${detail.record_id}`);
  const message = h("div", { "aria-live": "polite" });
  return h("form", { class: "edit", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const body = { kind: detail.kind, source_id: detail.source_id, person_id: detail.person_id, version: detail.version,
      ...form.values() };
    form.clear();
    try {
      done(await api(recordPath, { method: "PUT", body }), t("saved"));
    } catch (error) {
      reportErrors(error, message, [form]);
    }
  } },
  h("h4", { text: t("correctRecord") }), requiredHelp(), form.element, h("button", { type: "submit", text: t("save") }), message);
}

function annulmentForm(detail, recordPath, done) {
  const id = `annul-reason-${detail.record_id}`;
  const reason = h("input", { id, required: true, maxlength: "500", autocomplete: "off" });
  const message = h("div", { "aria-live": "polite" });
  return h("form", { class: "annul", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    if (!reason.value.trim()) return message.replaceChildren(alertBox(t("annulReasonNeeded")));
    try {
      done(await api(recordPath, { method: "DELETE", body: { reason: reason.value.trim(), version: detail.version } }));
    } catch (error) {
      message.replaceChildren(alertBox(problemText(error)));
    }
    return null;
  } },
  h("h4", { text: t("annulRecord") }), h("p", { class: "muted", text: t("annulHelp") }),
  h("p", {}, h("label", { for: id, text: t("annulReason") }), reason),
  h("button", { type: "submit", text: t("annulRecord") }), message);
}

// --- entering a record ----------------------------------------------------------------------------

async function recordPage(institution, acting) {
  const live = current();
  await loadKinds();
  if (!live()) return null;
  const title = t("newRecord");
  if (!institution.scopes.includes("write")) return show(title, actingBar(institution, acting, "record"), alertBox(t("noWriteHere")));
  const { kinds, identity } = declaredKinds();
  const kindSelect = h("select", { id: "record-kind", required: true },
    h("option", { value: "", text: t("chooseValue") }),
    kinds.map((kind) => h("option", { value: kind.kind, text: inLanguage(kind.title) })));
  const who = recordFields(identity, {}, "new");
  const own = h("fieldset", { id: "record-fields", hidden: true });
  let fields = null;
  const message = h("div", { id: "record-result", "aria-live": "polite" });
  kindSelect.addEventListener("change", () => {
    const kind = kindOf(kindSelect.value);
    message.replaceChildren();
    if (!kind) {
      own.hidden = true;
      fields = null;
      return;
    }
    fields = recordFields(kind.fields, {}, "new");
    own.replaceChildren(h("legend", { text: inLanguage(kind.title) }), fields.element);
    own.hidden = false;
  });
  return show(title, actingBar(institution, acting, "record"),
    h("form", { id: "record-form", novalidate: true, onsubmit: async (event) => {
      event.preventDefault();
      if (!fields) return message.replaceChildren(alertBox(t("chooseKind")));
      who.clear(); // the last attempt's problems go; this attempt's come from the API's answer
      fields.clear();
      const body = { kind: kindSelect.value, ...who.values(), ...fields.values() };
      try {
        const saved = await api(path("institutions", institution.institution_id, "records"), { method: "POST", body });
        message.replaceChildren(h("p", { class: "ok", text: `${t("recordSaved")} · ${t("version")} ${saved.version}` }));
      } catch (error) {
        reportErrors(error, message, [who, fields]); // next to its field, the pupil's or the record's
      }
      return null;
    } },
    requiredHelp(),
    h("p", {}, h("label", { for: "record-kind", text: t("recordKind") }, requiredMark()), kindSelect),
    h("fieldset", {}, h("legend", { text: t("recordPupil") }), h("p", { class: "muted", text: t("recordPupilHelp") }), who.element),
    own,
    h("button", { type: "submit", text: t("saveRecord") }),
    message));
}

function requiredMark() {
  return h("span", { class: "required", "aria-hidden": "true", text: " *" });
}

function requiredHelp() {
  return h("p", { class: "muted", text: t("requiredHelp") });
}

// Inputs for declared fields (`GET /schema/records`): a date picker, a number with its bounds, a
// select of the code list's labels, a text with its length; each under its label in the page's
// language, `*` where required. `values()` is what the API takes (empty fields left out);
// `place(problems)` puts each of the API's field problems next to its field, in words.
function recordFields(declared, record, prefix) {
  const inputs = declared.map((field) => [field, fieldInput(field, record[field.name], `${prefix}-${field.name}`)]);
  const notes = new Map(inputs.map(([field, input]) => [field.name, h("p", { class: "field-error", id: `${input.id}-error`, hidden: true })]));
  const element = h("div", { class: "fields" }, inputs.map(([field, input]) => h("p", {},
    h("label", { for: input.id, text: inLanguage(field.label) }, field.required ? requiredMark() : null),
    input, notes.get(field.name))));
  const clear = () => {
    for (const [field, input] of inputs) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      notes.get(field.name).hidden = true;
    }
  };
  return {
    element,
    clear,
    values() {
      const values = {};
      for (const [field, input] of inputs) {
        const value = input.value.trim();
        if (value !== "") values[field.name] = field.type === "integer" && /^-?\d+$/.test(value) ? Number(value) : value;
      }
      return values;
    },
    // Puts each of `problems` next to its field here; answers those for fields not here.
    place(problems) {
      const rest = [];
      for (const problem of problems) {
        const found = inputs.find(([field]) => field.name === problem.field);
        if (!found) {
          rest.push(problem);
          continue;
        }
        const [field, input] = found;
        const note = notes.get(field.name);
        note.textContent = words(problem);
        note.hidden = false;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", note.id);
      }
      return rest;
    },
  };
}

function words(problem) {
  return problem.messages[currentLanguage()] ?? problem.messages.lt;
}

// A refused write: each field's problem next to its field (in `parts`, forms of `recordFields`),
// the rest in `message` in words — never a raw field name; the first field in error takes focus.
function reportErrors(error, message, parts) {
  for (const part of parts) part.clear();
  const problems = error.problem?.errors ?? [];
  let rest = problems;
  for (const part of parts) rest = part.place(rest);
  const summary = problems.length ? t("fieldsInvalid")
    : error.status === 422 && error.problem?.messages ? words(error.problem) : problemText(error);
  message.replaceChildren(alertBox(summary), ...(rest.length ? [h("ul", {}, rest.map((p) => h("li", { text: words(p) })))] : []));
  main.querySelector("[aria-invalid=true]")?.focus();
}

function fieldInput(field, value, id) {
  const shown = value === undefined || value === null ? "" : String(value);
  const common = { id, name: field.name, required: field.required };
  if (field.type === "code") {
    return h("select", common,
      h("option", { value: "", text: field.required ? t("chooseValue") : "—" }),
      field.choices.map((choice) => h("option", { value: choice.code, selected: choice.code === shown, text: inLanguage(choice.label) })));
  }
  // A date that may not lie ahead (an exam taken, a diploma issued) offers nothing after today.
  if (field.type === "date") return h("input", { ...common, type: "date", max: field.future ? false : vilniusToday(), value: shown });
  if (field.type === "integer") {
    return h("input", { ...common, type: "number", inputmode: "numeric", step: "1", min: field.minimum ?? false,
      max: field.maximum ?? false, value: shown });
  }
  return h("input", { ...common, type: "text", maxlength: field.max_length ?? false, autocomplete: "off", value: shown });
}

// --- representatives ------------------------------------------------------------------------------

function vilniusToday() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Vilnius" }).format(new Date());
}

function yearFrom(day) {
  const [year, month, date] = day.split("-").map(Number);
  const next = new Date(Date.UTC(year + 1, month - 1, date));
  return next.toISOString().slice(0, 10);
}

async function staffPage(institution, acting, me, notice = null) {
  const live = current();
  const { representatives } = await api(path("institutions", institution.institution_id, "staff"));
  if (!live()) return null;
  const refresh = (text) => staffPage(institution, acting, me, text);
  const message = h("div", { id: "staff-result", "aria-live": "polite" }, notice ? h("p", { class: "ok", text: notice }) : null);
  const act = async (call, done) => {
    try { await call(); await refresh(done); } catch (error) { message.replaceChildren(alertBox(problemText(error))); }
  };
  const person = h("input", { id: "staff-code", inputmode: "numeric", required: true, autocomplete: "off" });
  const from = h("input", { id: "staff-from", type: "date", required: true, value: vilniusToday() });
  const to = h("input", { id: "staff-to", type: "date", required: true, value: yearFrom(vilniusToday()) });
  const ministry = institution.role === null; // the ministry acting on any institution
  // Only the ministry appoints administrators (policy.manage_staff): only its form offers the role.
  const role = ministry ? h("select", { id: "staff-role" }, ["REPRESENTATIVE", ADMINISTRATOR].map((value) =>
    h("option", { value, text: t(`staffRole_${value}`) }))) : null;
  return show(`${t("representatives")}: ${institution.name}`, actingBar(institution, acting.some((i) => i === institution) ? acting : [], "staff"),
    message,
    h("section", { "aria-labelledby": "staff-title" }, h("h2", { id: "staff-title", text: t("staffList") }),
      h("ul", { class: "plain", id: "staff" }, representatives.map((r) => {
        // Names from the register are the ministry's view only (an administrator could otherwise
        // learn anyone's name by appointing a guessed code): others see the code they appointed by.
        const name = r.name || r.person_id;
        const removable = r.person_id !== me && (ministry || r.role !== ADMINISTRATOR);
        return h("li", { class: "card" },
          h("h3", { text: `${name}${r.person_id === me ? ` (${t("you")})` : ""}` }),
          h("p", { text: t(`staffRole_${r.role}`) }),
          h("p", { class: "muted", text: r.valid_from || r.valid_to ? `${t("valid")}: ${r.valid_from || "…"} – ${r.valid_to || "…"}` : t("untilRemoved") }),
          removable ? h("button", { type: "button", class: "link", text: `${t("remove")}: ${name}`,
            onclick: () => act(() => api(path("institutions", institution.institution_id, "staff", r.person_id), { method: "DELETE" }), t("staffRemoved")) }) : null);
      }))),
    h("section", { "aria-labelledby": "appoint-title" }, h("h2", { id: "appoint-title", text: t("addRepresentative") }),
      h("p", { class: "muted", text: t("appointHelp") }),
      h("form", { novalidate: true, onsubmit: (event) => {
        event.preventDefault();
        const personId = person.value.trim();
        if (!PERSON_ID.test(personId)) return message.replaceChildren(alertBox(t("checkCode")));
        if (!from.value || !to.value) return message.replaceChildren(alertBox(t("validityNeeded")));
        return act(() => api(path("institutions", institution.institution_id, "staff", personId),
          { method: "PUT", body: { role: role?.value ?? "REPRESENTATIVE", valid_from: from.value, valid_to: to.value } }),
        t("staffAppointed"));
      } },
      h("p", {}, h("label", { for: "staff-code", text: t("personalCode") }), person),
      h("p", {}, h("label", { for: "staff-from", text: t("from") }), from),
      h("p", {}, h("label", { for: "staff-to", text: t("to") }), to),
      role ? h("p", {}, h("label", { for: "staff-role", text: t("staffRole") }), role) : null,
      h("button", { type: "submit", text: t("addRepresentative") }))));
}
