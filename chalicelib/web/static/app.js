// The register's pages: a small front end over the same API that scripts use (docs/WEB.md).
// Everything shown is built with DOM calls (textContent), never by pasting HTML.
import { ApiError, api, loggedIn, logout, postFile } from "./api.js";
import { currentLanguage, setLanguage, t } from "./i18n.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
let me = null;

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "text") element.textContent = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) {
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return element;
}

function show(title, ...content) {
  main.replaceChildren(h("h1", { text: title, tabindex: "-1" }), ...content);
  main.querySelector("h1").focus(); // a screen reader hears the new page's title
}

function problemText(error) {
  if (error instanceof ApiError) {
    if (error.status === 403) return t("noAccess");
    if (error.status === 404) return t("notFound");
    if (error.status === 409) return t("conflict");
    if (error.problem?.errors?.length) return error.problem.errors.map((e) => `${e.field}: ${currentLanguage() === "lt" ? e.message_lt : e.message}`).join("; ");
  }
  return t("failed");
}

function alertBox(text) {
  return h("p", { role: "alert", class: "alert", text });
}

// --- navigation ---------------------------------------------------------------------------------

function renderNav() {
  const links = [["#/history", t("myHistory")], ["#/journal", t("journal")]];
  for (const child of me.children || []) {
    links.push([`#/child/${child.person_id}`, `${t("childHistory")}: ${child.given_name || ""}`.trim()]);
  }
  if (me.roles.includes("representative")) links.push(["#/school", t("school")]);
  if (me.roles.includes("ministry")) links.push(["#/ministry", t("ministry")]);
  const current = location.hash || "#/history";
  nav.replaceChildren(h("ul", {}, links.map(([href, text]) =>
    h("li", {}, h("a", { href, "aria-current": current.startsWith(href) ? "page" : false, text })))),
  h("p", { class: "who" }, `${me.given_name || ""} ${me.family_name || ""}`,
    " ", h("button", { type: "button", class: "link", onclick: async () => { await logout(); location.hash = "#/"; location.reload(); }, text: t("logout") })));
  nav.hidden = false;
}

async function route() {
  if (!me) {
    if (!(await loggedIn())) return start();
    me = await api("me");
  }
  renderNav();
  const [, page, argument] = (location.hash || "#/history").split("/");
  try {
    if (page === "journal") return await journal();
    if (page === "child") return await history(argument);
    if (page === "school") return await school(argument);
    if (page === "ministry") return await ministry(argument);
    return await history(null);
  } catch (error) {
    show(t("failed"), alertBox(problemText(error)));
  }
}

function start() {
  nav.hidden = true;
  show(t("brand"),
    h("p", { text: t("intro1") }), h("p", { text: t("intro2") }),
    h("p", { text: t("noRegistration") }),
    h("p", {}, h("a", { class: "button", href: "auth/login", text: t("login") })),
    h("p", { class: "muted", text: t("meansDown") }));
}

// --- history --------------------------------------------------------------------------------------

function period(record) {
  const start = record.start_date || record.issue_date || "";
  if (!record.end_date) return start;
  return `${start} – ${record.end_date}`;
}

function describe(record) {
  const rows = [];
  const add = (label, value) => { if (value !== undefined && value !== null && value !== "") rows.push([t(label), value]); };
  switch (record.kind) {
    case "ENROLLMENT": add("period", period(record)); add("klass", record.class); add("programme", record.programme); add("form", record.learning_form); break;
    case "SUBJECT": add("period", period(record)); add("grade", record.grade); add("klass", record.class); break;
    case "EXAM": add("date", record.start_date); add("score", record.score); add("level", record.level); break;
    case "OLYMPIAD": add("date", record.start_date); add("place", record.place); add("level", record.level && t(record.level)); break;
    case "ACHIEVEMENT": add("period", period(record)); add("level", record.level && t(record.level)); break;
    case "QUALIFICATION": add("document", [record.document_series, record.document_number].filter(Boolean).join(" ")); add("issued", record.issue_date); add("programme", record.programme); add("dakpr", record.dakpr_registration_number); break;
    default: break;
  }
  add("teacher", record.teacher);
  add("notes", record.notes);
  return rows;
}

function recordTitle(record) {
  return record.subject || (record.kind === "QUALIFICATION" ? t(record.document_type) : record.title || record.institution_name) || record.kind;
}

function recordCard(record, extra) {
  return h("article", { class: "card" },
    h("h3", { text: recordTitle(record) }),
    record.kind !== "ENROLLMENT" ? h("p", { class: "muted", text: record.institution_name || record.institution_id }) : null,
    h("dl", {}, describe(record).map(([label, value]) => [h("dt", { text: label }), h("dd", { text: value })])),
    extra ? extra(record) : null);
}

function renderSections(target, page, extra) {
  const byId = new Map(page.records.map((record) => [record.record_id, record]));
  for (const section of page.sections) {
    let list = target.querySelector(`section[data-kind="${section.kind}"] .cards`);
    if (!list) {
      list = h("div", { class: "cards" });
      target.append(h("section", { "data-kind": section.kind }, h("h2", { text: t(section.kind) }), list));
    }
    for (const id of section.record_ids) list.append(recordCard(byId.get(id), extra));
  }
}

async function history(personId, options = {}) {
  const base = personId ? `persons/${personId}/history` : "me/history";
  const query = new URLSearchParams(options.query || (personId ? { purpose: "guardian" } : {}));
  const first = await api(`${base}?${query}`);
  const holder = h("div", {});
  const person = first.person;
  show(personId ? `${t("childHistory")}: ${person.given_name || ""} ${person.family_name || ""}`.trim() : t("myHistory"), holder);
  if (!first.records.length) holder.append(h("p", { class: "empty", text: t("emptyHistory") }));
  renderSections(holder, first, options.extra);
  let cursor = first.next_cursor;
  const more = h("button", { type: "button", text: t("more"), onclick: async () => {
    const next = await api(`${base}?${new URLSearchParams({ ...Object.fromEntries(query), cursor })}`);
    renderSections(holder, next, options.extra);
    cursor = next.next_cursor;
    more.hidden = !cursor;
  } });
  more.hidden = !cursor;
  main.append(more);
}

// --- journal --------------------------------------------------------------------------------------

async function journal() {
  const page = await api("me/journal");
  if (!page.events.length) return show(t("journal"), h("p", { class: "empty", text: t("journalEmpty") }));
  show(t("journal"), h("ol", { class: "events" }, page.events.map((event) =>
    h("li", { class: "card" },
      h("p", {}, h("strong", { text: t(event.action) }), " · ", new Date(event.at).toLocaleString(currentLanguage() === "lt" ? "lt-LT" : "en-GB")),
      h("p", { text: `${t(`role_${event.actor.role}`)}${event.actor.institution_name ? `: ${event.actor.institution_name}` : ""}` }),
      event.purpose ? h("p", { class: "muted", text: `${t("purpose")}: ${event.purpose}` }) : null))));
}

// --- school ---------------------------------------------------------------------------------------

async function school(argument) {
  const { institutions } = await api("institutions");
  const institution = institutions[0];
  if (argument) return pupil(institution, decodeURIComponent(argument));
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
      const started = await api(`institutions/${institution.institution_id}/uploads`, { method: "POST", body: { file_name: chosen.name, dry_run: dryRun.checked } });
      await postFile(started, chosen);
      await followUpload(institution.institution_id, started.upload_id, result);
    } catch (error) {
      result.replaceChildren(alertBox(problemText(error)));
    }
  } },
  drop,
  h("p", {}, h("label", { for: "file", text: t("chooseFile") }), file),
  h("p", {}, dryRun, " ", h("label", { for: "dry-run", text: t("dryRun") })),
  h("button", { type: "submit", text: t("send") }));
  const code = h("input", { id: "personal-code", inputmode: "numeric", autocomplete: "off", required: true, pattern: "[0-9]{11}|MR-[0-9A-Z]{10}" });
  const purpose = h("input", { id: "purpose", required: true, maxlength: "200" });
  const find = h("form", { onsubmit: (event) => {
    event.preventDefault();
    sessionStorage.setItem("mr-purpose", purpose.value);
    location.hash = `#/school/${encodeURIComponent(code.value.trim())}`;
  } },
  h("p", {}, h("label", { for: "personal-code", text: t("personalCode") }), code),
  h("p", {}, h("label", { for: "purpose", text: t("purpose") }), purpose),
  h("button", { type: "submit", text: t("find") }));
  const lang = currentLanguage();
  show(`${t("school")}: ${institution.name}`,
    h("section", {}, h("h2", { text: t("upload") }), form, result),
    h("section", {}, h("h2", { text: t("templates") }),
      h("ul", {}, h("li", {}, h("a", { href: `templates/upload?format=csv&lang=${lang}`, text: "CSV" })),
        h("li", {}, h("a", { href: `templates/upload?format=xlsx&lang=${lang}`, text: "XLSX" })))),
    h("section", {}, h("h2", { text: t("findPupil") }), find));
}

async function followUpload(institutionId, uploadId, target) {
  for (let i = 0; i < 120; i += 1) {
    const upload = await api(`institutions/${institutionId}/uploads/${uploadId}`);
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
        h("td", { text: lang === "lt" ? e.message_lt : e.message }))))) : null,
    upload.report ? h("p", {}, h("a", { href: upload.report.json, text: t("reportJson") }), " · ",
      h("a", { href: upload.report.csv, text: t("reportCsv") })) : null);
}

async function pupil(institution, personId) {
  const purpose = sessionStorage.getItem("mr-purpose") || "";
  await history(personId, {
    query: { purpose, institution_id: institution.institution_id },
    extra: (record) => (record.institution_id === institution.institution_id ? editButton(institution, record) : null),
  });
}

function editButton(institution, record) {
  return h("button", { type: "button", class: "link", text: t("edit"), onclick: async (event) => {
    const card = event.target.closest("article");
    const detail = await api(`institutions/${institution.institution_id}/records/${record.record_id}`);
    const editable = ["start_date", "end_date", "class", "programme", "subject", "grade", "score", "level", "place", "title", "teacher", "notes"]
      .filter((name) => detail[name] !== undefined);
    const inputs = editable.map((name) => [name, h("input", { id: `edit-${name}`, value: detail[name] })]);
    const message = h("p", { "aria-live": "polite" });
    card.append(h("form", { class: "edit", onsubmit: async (submit) => {
      submit.preventDefault();
      const fields = Object.fromEntries(["kind", "source_id", "document_type", "document_series", "document_number", "issue_date", "learning_form", "leaving_reason"]
        .filter((name) => detail[name] !== undefined).map((name) => [name, detail[name]]));
      for (const [name, input] of inputs) if (input.value !== "") fields[name] = name === "score" ? Number(input.value) : input.value;
      try {
        await api(`institutions/${institution.institution_id}/records/${record.record_id}`, { method: "PUT", body: { ...fields, person_id: detail.person_id, version: detail.version } });
        message.replaceChildren(t("saved"));
      } catch (error) {
        message.replaceChildren(alertBox(problemText(error)));
      }
    } },
    inputs.map(([name, input]) => h("p", {}, h("label", { for: input.id, text: name }), input)),
    h("button", { type: "submit", text: t("save") }), message));
  } });
}

// --- ministry -------------------------------------------------------------------------------------

async function ministry(argument) {
  const { institutions } = await api("institutions");
  if (!argument) {
    return show(t("institutions"), h("ul", { class: "plain" }, institutions.map((i) =>
      h("li", {}, h("a", { href: `#/ministry/${i.institution_id}`, text: `${i.name} (${i.municipality})` })))));
  }
  const institution = institutions.find((i) => i.institution_id === argument);
  const [{ permits }, { representatives }] = await Promise.all([
    api(`institutions/${argument}/permits`), api(`institutions/${argument}/staff`)]);
  const refresh = () => ministry(argument);
  const message = h("div", { "aria-live": "polite" });
  const act = async (call) => { try { await call(); await refresh(); } catch (error) { message.replaceChildren(alertBox(problemText(error))); } };
  const from = h("input", { id: "valid-from", type: "date", required: true });
  const to = h("input", { id: "valid-to", type: "date", required: true });
  const write = h("input", { id: "scope-write", type: "checkbox", checked: true });
  const person = h("input", { id: "representative", inputmode: "numeric", required: true });
  show(institution ? institution.name : argument,
    message,
    h("section", {}, h("h2", { text: t("permits") }),
      h("ul", { class: "plain" }, permits.map((p) => h("li", { class: "card" },
        h("p", { text: `${p.valid_from} – ${p.valid_to} · ${p.scope.join(", ")} · ${t(`state_${p.state}`)}` }),
        p.state === "ACTIVE" ? h("button", { type: "button", text: t("revoke"), onclick: () => act(() => api(`institutions/${argument}/permits/${p.permit_id}`, { method: "DELETE" })) }) : null))),
      h("form", { onsubmit: (event) => { event.preventDefault(); act(() => api(`institutions/${argument}/permits`, { method: "POST", body: { scope: write.checked ? ["read", "write"] : ["read"], valid_from: from.value, valid_to: to.value } })); } },
        h("h3", { text: t("grant") }),
        h("p", {}, h("label", { for: "valid-from", text: t("from") }), from),
        h("p", {}, h("label", { for: "valid-to", text: t("to") }), to),
        h("p", {}, write, " ", h("label", { for: "scope-write", text: t("scopeWrite") })),
        h("button", { type: "submit", text: t("grant") }))),
    h("section", {}, h("h2", { text: t("representatives") }),
      h("ul", { class: "plain" }, representatives.map((r) => h("li", {}, `${r.name} `,
        h("button", { type: "button", class: "link", text: t("remove"), onclick: () => act(() => api(`institutions/${argument}/staff/${r.person_id}`, { method: "DELETE" })) })))),
      h("form", { onsubmit: (event) => { event.preventDefault(); act(() => api(`institutions/${argument}/staff/${person.value.trim()}`, { method: "PUT" })); } },
        h("p", {}, h("label", { for: "representative", text: t("personalCode") }), person),
        h("button", { type: "submit", text: t("addRepresentative") }))));
}

// --- start ----------------------------------------------------------------------------------------

document.getElementById("language").addEventListener("click", () => {
  setLanguage(currentLanguage() === "lt" ? "en" : "lt");
  route();
});
window.addEventListener("hashchange", route);
setLanguage(currentLanguage());
route();
