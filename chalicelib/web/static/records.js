// What a record looks like on every page: kind titles, field labels and code labels from the
// register (`GET /schema/records`), record cards and a history read a page at a time. Used by the
// citizen's pages (app.js) and the school's (school.js).
import { api, publicApi } from "./api.js";
import { t } from "./i18n.js";
import { current, h, inLanguage, main, path, show } from "./ui.js";

export function period(record) {
  const start = record.start_date || record.issue_date || "";
  if (!record.end_date) return start;
  return `${start} – ${record.end_date}`;
}

// Kind titles, field labels and code labels are the register's (`GET /schema/records`, declared in
// chalicelib/domain/kinds.py): fetched once, when records are first shown, and kept for the session.
// Each text comes in the page's language, else in Lithuanian.
let kinds = null;
let kindsLoading = null;
let identity = [];

export async function loadKinds() {
  if (kinds) return;
  kindsLoading ??= publicApi("schema/records").finally(() => { kindsLoading = null; });
  const schema = await kindsLoading;
  kinds = new Map(schema.kinds.map((kind) => [kind.kind, kind]));
  identity = schema.identity;
}

export function kindTitle(name) {
  const kind = kinds.get(name);
  return kind ? inLanguage(kind.title) : name;
}

export function shownValue(field, value) {
  const choice = field.choices?.find((candidate) => candidate.code === value);
  return choice ? inLanguage(choice.label) : value;
}

export function heading(record) {
  const kind = kinds.get(record.kind);
  return kind?.heading ? kind.fields.find((field) => field.name === kind.heading) : null;
}

// The record's fields in its kind's reading order, each with its label; the heading is the title.
export function describe(record) {
  const kind = kinds.get(record.kind);
  const rows = (kind?.fields ?? [])
    .filter((field) => field.name !== kind.heading && ![undefined, null, ""].includes(record[field.name]))
    .map((field) => [inLanguage(field.label), shownValue(field, record[field.name])]);
  if (record.dakpr_registration_number) rows.push([t("dakpr"), record.dakpr_registration_number]);
  return rows;
}

export function recordTitle(record) {
  const field = heading(record);
  if (field && record[field.name]) return shownValue(field, record[field.name]);
  return record.institution_name || record.institution_id || kindTitle(record.kind);
}

export function recordCard(record, extra) {
  return h("article", { class: "card" },
    h("h3", { text: recordTitle(record) }),
    heading(record) ? h("p", { class: "muted", text: record.institution_name || record.institution_id }) : null,
    h("dl", {}, describe(record).map(([label, value]) => [h("dt", { text: label }), h("dd", { text: value })])),
    extra ? extra(record) : null);
}

export function renderSections(target, page, extra) {
  const byId = new Map(page.records.map((record) => [record.record_id, record]));
  for (const section of page.sections) {
    let list = target.querySelector(`section[data-kind="${section.kind}"] .cards`);
    if (!list) {
      list = h("div", { class: "cards" });
      target.append(h("section", { "data-kind": section.kind }, h("h2", { text: kindTitle(section.kind) }), list));
    }
    for (const id of section.record_ids) list.append(recordCard(byId.get(id), extra));
  }
}

export async function history(personId, options = {}) {
  const live = current();
  const base = personId ? path("persons", personId, "history") : "me/history";
  const query = new URLSearchParams(options.query || {});
  const [first] = await Promise.all([api(`${base}?${query}`), loadKinds()]);
  if (!live()) return;
  const holder = h("div", {});
  const person = first.person;
  show(personId ? `${options.title}: ${person.given_name || ""} ${person.family_name || ""}`.trim() : t("myHistory"), holder);
  if (!first.records.length) holder.append(h("p", { class: "empty", text: t("emptyHistory") }));
  renderSections(holder, first, options.extra);
  let cursor = first.next_cursor;
  const more = h("button", { type: "button", class: "more", text: t("more"), onclick: async () => {
    if (!cursor) return;
    const next = await api(`${base}?${new URLSearchParams({ ...Object.fromEntries(query), cursor })}`);
    renderSections(holder, next, options.extra);
    cursor = next.next_cursor;
    more.hidden = !cursor;
  } });
  more.hidden = !cursor;
  main.append(more);
}

// A kind as the register declares it (title, fields in reading order, heading), or undefined.
export function kindOf(name) {
  return kinds.get(name);
}

// The declared kinds in reading order, and what every record carries besides (person, source id).
export function declaredKinds() {
  return { kinds: [...kinds.values()], identity };
}
