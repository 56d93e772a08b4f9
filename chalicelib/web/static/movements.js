// Pupils moving school (docs/STATE.md section 4): the school's open movement items, with the
// correction that closes one, and the state's page of overdue items (the ministry, officials).
import { api, publicApi } from "./api.js";
import { t } from "./i18n.js";
import { alertBox, current, h, inLanguage, path, problemText, show } from "./ui.js";

// The enrolment's fields as the register declares them (labels, the leaving reasons' code list):
// the same schema the correction form on the pupil's page reads.
async function enrolmentFields() {
  const schema = await publicApi("schema/records");
  return new Map(schema.kinds.find((kind) => kind.kind === "ENROLLMENT").fields.map((field) => [field.name, field]));
}

function today() {
  // The date in Vilnius (the register's calendar), as the date input wants it.
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Vilnius" }).format(new Date());
}

function pupilName(item) {
  return `${item.given_name || ""} ${item.family_name || ""}`.trim() || item.person_id;
}

// A section for the school's page, filled when its items arrive (the page is drawn first).
export function schoolMovements(institution) {
  const section = h("section", { id: "movements", "aria-labelledby": "movements-title" },
    h("h2", { id: "movements-title", text: t("movements") }), h("p", { text: t("loading") }));
  const live = current();
  const load = async (cursor, list) => {
    try {
      const query = cursor ? `?${new URLSearchParams({ cursor })}` : "";
      const page = await api(`${path("institutions", institution.institution_id, "movements")}${query}`);
      if (!live()) return;
      const items = page.movements.map((item) => movementCard(institution, item, () => reload()));
      if (!list) {
        list = h("ul", { class: "plain" });
        section.replaceChildren(section.firstChild,
          page.movements.length || cursor ? list : h("p", { class: "muted", text: t("noMovements") }));
      }
      list.append(...items);
      if (page.next_cursor) {
        const more = h("button", { type: "button", class: "link", text: t("more"), onclick: () => { more.remove(); load(page.next_cursor, list); } });
        section.append(more);
      }
    } catch (error) {
      if (live()) section.replaceChildren(section.firstChild, alertBox(problemText(error)));
    }
  };
  const reload = () => {
    section.replaceChildren(section.firstChild, h("p", { text: t("loading") }));
    return load(null, null);
  };
  load(null, null);
  return section;
}

function movementCard(institution, item, reload) {
  const left = item.side === "left";
  const other = left ? item.to_institution : item.from_institution;
  // No person: this school may no longer read the pupil (a former school past its window, or one
  // whose enrolment the Population Register disputed) — it is told its own record alone.
  const card = item.person_id
    ? h("li", { class: "card" },
      h("p", {}, h("strong", { text: pupilName(item) })),
      h("p", { text: `${t(left ? "movedTo" : "arrivedFrom")}: ${other.name || other.institution_id}` }),
      h("p", { class: "muted", text: `${t("movementSince")}: ${item.opened_at} · ${t("arrivedOn")}: ${item.arrived_on}` }))
    : h("li", { class: "card" },
      h("p", {}, h("strong", { text: `${t("movementRecord")}: ${item.record_id}` })),
      h("p", { class: "muted", text: t("movementUnnamed") }),
      h("p", { class: "muted", text: `${t("movementSince")}: ${item.opened_at}` }));
  if (left) {
    card.append(h("p", { text: t("closeEnrolmentHelp") }),
      h("button", { type: "button", text: t("closeEnrolment"), onclick: async (event) => {
        event.target.disabled = true;
        try {
          card.append(closeForm(institution, item, await enrolmentFields(), reload));
          event.target.remove();
        } catch (error) {
          event.target.disabled = false;
          card.append(alertBox(problemText(error)));
        }
      } }));
  }
  return card;
}

// Ends this school's enrolment with a date and a coded reason: a correction of the record (PUT,
// with the version read), which closes the item in the same transaction.
function closeForm(institution, item, fields, reload) {
  const id = item.record_id;
  const end = h("input", { id: `end-${id}`, type: "date", required: true, value: today() });
  const reason = h("select", { id: `reason-${id}`, required: true },
    fields.get("leaving_reason").choices.map((choice) => h("option", { value: choice.code, text: inLanguage(choice.label) })));
  const message = h("div", { "aria-live": "polite" });
  return h("form", { class: "edit", onsubmit: async (event) => {
    event.preventDefault();
    try {
      const recordPath = path("institutions", institution.institution_id, "records", id);
      const detail = await api(recordPath);
      // The record as it stands, its own fields only, with the end and the reason.
      const body = Object.fromEntries(Object.entries(detail).filter(([key, value]) => fields.has(key) && value !== null));
      await api(recordPath, { method: "PUT", body: {
        ...body, kind: detail.kind, source_id: detail.source_id, person_id: detail.person_id, version: detail.version,
        end_date: end.value, leaving_reason: reason.value } });
      await reload();
    } catch (error) {
      message.replaceChildren(alertBox(problemText(error)));
    }
  } },
  h("p", {}, h("label", { for: end.id, text: inLanguage(fields.get("end_date").label) }), end),
  h("p", {}, h("label", { for: reason.id, text: inLanguage(fields.get("leaving_reason").label) }), reason),
  h("button", { type: "submit", text: t("closeEnrolment") }),
  message);
}

// --- the state's page: items open longer than MOVEMENT_OVERDUE_DAYS -----------------------------

// `municipalities`: the official's own ({code, name}, from /me). An official of one is shown
// theirs unasked; an official of more must choose one (the API will not guess which), so they get
// a select of theirs; the ministry types any code, or none for all.
export async function movementsPage(isMinistry, municipalities = []) {
  const live = current();
  const choosing = !isMinistry && municipalities.length > 1;
  const municipality = choosing
    ? h("select", { id: "municipality" },
      municipalities.map((m) => h("option", { value: m.code, text: `${inLanguage(m.name)} (${m.code})` })))
    : h("input", { id: "municipality", autocomplete: "off" });
  const results = h("div", { "aria-live": "polite" });
  const load = async (cursor, list) => {
    const query = new URLSearchParams();
    if (municipality.value.trim()) query.set("municipality", municipality.value.trim());
    if (cursor) query.set("cursor", cursor);
    try {
      const page = await api(`movements${query.toString() ? `?${query}` : ""}`);
      if (!live()) return;
      if (!list) {
        list = h("ul", { class: "plain" });
        results.replaceChildren(h("p", { class: "muted", text: `${t("overdueMovementsHelp")} ${page.overdue_days}` }),
          page.movements.length ? list : h("p", { text: t("noMovements") }));
      }
      list.append(...page.movements.map((item) => h("li", { class: "card" },
        h("p", { text: `${item.from_institution.name || item.from_institution.institution_id} → ${item.to_institution.name || item.to_institution.institution_id}` }),
        h("p", { class: "muted", text: `${item.municipality_name ? inLanguage(item.municipality_name) : ""} · ${t("movementSince")}: ${item.opened_at}` }))));
      if (page.next_cursor) {
        const more = h("button", { type: "button", class: "link", text: t("more"), onclick: () => { more.remove(); load(page.next_cursor, list); } });
        results.append(more);
      }
    } catch (error) {
      if (live()) results.replaceChildren(alertBox(problemText(error)));
    }
  };
  const filter = isMinistry || choosing ? h("form", { onsubmit: (event) => { event.preventDefault(); load(null, null); } },
    h("p", {}, h("label", { for: "municipality", text: t(choosing ? "municipalityChoice" : "municipalityFilter") }), municipality),
    h("button", { type: "submit", text: t("filter") })) : null;
  show(t("overdueMovements"), filter, results);
  await load(null, null);
}
