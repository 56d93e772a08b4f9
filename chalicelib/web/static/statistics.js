// Statistics pages (docs/STATE.md section 3): the state's view `#/statistics` (the ministry:
// national or a municipality; an official: their municipality) and the public `#/open-data`.
// Each chart is CSS bars built with DOM calls, labelled in text; the same numbers stand in a
// table beside it for screen readers (the chart itself is hidden from them).
import { api, publicApi } from "./api.js";
import { t } from "./i18n.js";
import { alertBox, current, h, inLanguage, problemText, saveFile, show } from "./ui.js";

const WITHHELD = "<5"; // how a withheld open-data count reads (below 5, or withheld with one)

function gradeLabel(grade) {
  if (grade === null || grade === "-") return t("statNoGrade");
  if (grade === "TOTAL") return t("statTotal");
  return `${grade} ${t("statGradeShort")}`;
}

// Bars of `rows` ([label, count or null]) scaled to the largest count, each with its number.
function barChart(rows) {
  const largest = Math.max(1, ...rows.map(([, count]) => count ?? 0));
  return h("div", { class: "chart", "aria-hidden": "true" }, rows.map(([label, count]) => {
    const fill = h("span", { class: "chart-fill" });
    fill.style.width = `${Math.round(((count ?? 0) / largest) * 100)}%`; // CSSOM: allowed by the CSP
    return h("div", { class: "chart-row" }, h("span", { class: "chart-label", text: label }),
      h("span", { class: "chart-track" }, fill), h("span", { class: "chart-count", text: count ?? WITHHELD }));
  }));
}

function countTable(id, caption, heading, rows) {
  return h("table", { id }, h("caption", { text: caption }),
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: heading }), h("th", { scope: "col", text: t("statPupils") }))),
    h("tbody", {}, rows.map(([label, count]) => h("tr", {}, h("th", { scope: "row", text: label }),
      h("td", { text: count ?? WITHHELD })))));
}

function dateField(id, value) {
  return h("input", { id, type: "date", required: true, value });
}

function municipalityChoice(id, codes, chosen, allText) {
  return h("select", { id }, allText ? h("option", { value: "", text: allText }) : null,
    codes.map(([code, name]) => h("option", { value: code, selected: code === chosen, text: name })));
}

// --- the state's view -----------------------------------------------------------------------------

export async function statisticsPage(me, query = {}) {
  const live = current();
  const isMinistry = me.roles.includes("ministry");
  // An official of one municipality gets theirs from the API; an official of several must name one
  // (the API refuses them the unfiltered view), so they choose among theirs, the first at first.
  const theirs = isMinistry ? [] : (me.municipalities || []);
  if (theirs.length > 1 && !query.municipality) query = { ...query, municipality: theirs[0].code };
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v));
  const form = h("form", { id: "statistics-form" });
  const result = h("div", { id: "statistics-result", "aria-live": "polite" });
  let view = null;
  try {
    view = await api(`statistics?${params}`);
  } catch (error) {
    if (!live()) return null;
    result.replaceChildren(alertBox(problemText(error)));
  }
  if (!live()) return null;
  const date = dateField("statistics-date", view?.date || query.date || "");
  const known = view ? [...new Map(view.institutions.map((i) => [i.municipality, inLanguage(i.municipality_name)]))] : [];
  if (query.municipality && !known.some(([code]) => code === query.municipality)) {
    known.push([query.municipality, view?.municipality_name ? inLanguage(view.municipality_name) : query.municipality]);
  }
  const municipality = isMinistry ? municipalityChoice("statistics-municipality", known, query.municipality, t("statNational"))
    : theirs.length > 1 ? municipalityChoice("statistics-municipality", theirs.map((m) => [m.code, inLanguage(m.name)]), query.municipality, null)
      : null;
  form.append(h("p", {}, h("label", { for: "statistics-date", text: t("statDate") }), date),
    municipality ? h("p", {}, h("label", { for: "statistics-municipality", text: t("statMunicipality") }), municipality) : null,
    h("button", { type: "submit", text: t("statShow") }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    statisticsPage(me, { date: date.value, municipality: municipality?.value || "" });
  });
  if (view) result.replaceChildren(...statisticsBody(view, params));
  return show(t("statistics"), form, result);
}

function statisticsBody(view, params) {
  const where = view.municipality ? inLanguage(view.municipality_name) : t("statNational");
  const byGrade = view.by_grade.map((row) => [gradeLabel(row.grade), row.count]);
  const bySex = view.by_sex.map((row) => [row.sex ? t(`statSex_${row.sex}`) : t("statUnknown"), row.count]);
  const byForm = view.by_learning_form.map((row) => [row.learning_form || t("statUnknown"), row.count]);
  const download = (format) => h("button", { type: "button", id: `statistics-${format}`, text: format.toUpperCase(),
    onclick: async (event) => {
      const note = event.target.parentElement.querySelector(".download-note");
      try {
        const query = new URLSearchParams(params);
        query.set("date", view.date);
        query.set("format", format);
        saveFile(await api(`statistics?${query}`, { as: "blob" }), `statistika-${view.date}.${format}`);
        note.textContent = t("listSaved");
      } catch (error) {
        note.replaceChildren(alertBox(problemText(error)));
      }
    } });
  return [
    h("p", { id: "statistics-total", class: "ok", text: `${where}, ${view.date}: ${view.total} ${t("statPupilsLower")}` }),
    h("h2", { text: t("statByGrade") }), barChart(byGrade),
    countTable("statistics-by-grade", t("statByGrade"), t("statGrade"), byGrade),
    h("h2", { text: t("statBySex") }), countTable("statistics-by-sex", t("statBySex"), t("statSex"), bySex),
    h("h2", { text: t("statByForm") }), countTable("statistics-by-form", t("statByForm"), t("statForm"), byForm),
    h("h2", { text: t("statByInstitution") }),
    countTable("statistics-by-institution", t("statByInstitution"), t("statInstitution"),
      view.institutions.map((i) => [i.name || i.institution_id, i.total])),
    h("p", {}, t("statDownload"), " ", download("csv"), " ", download("xlsx"), h("span", { class: "download-note", "aria-live": "polite" })),
  ];
}

// --- open data (no login) -------------------------------------------------------------------------

export async function openDataPage(query = {}) {
  const live = current();
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v));
  const result = h("div", { id: "open-data-result", "aria-live": "polite" });
  let view = null;
  try {
    view = await publicApi(`open-data/statistics?${params}`);
  } catch (error) {
    if (!live()) return null;
    result.replaceChildren(alertBox(problemText(error)));
  }
  if (!live()) return null;
  const date = dateField("open-data-date", view?.date || query.date || "");
  const tables = view?.tables || [];
  const chosen = tables.find((table) => table.municipality === query.municipality) || tables[0];
  const municipality = municipalityChoice("open-data-municipality",
    tables.map((table) => [table.municipality, inLanguage(table.municipality_name)]), chosen?.municipality, null);
  const form = h("form", { id: "open-data-form", onsubmit: (event) => {
    event.preventDefault();
    openDataPage({ date: date.value, municipality: municipality.value });
  } }, h("p", {}, h("label", { for: "open-data-date", text: t("statDate") }), date),
  tables.length ? h("p", {}, h("label", { for: "open-data-municipality", text: t("statMunicipality") }), municipality) : null,
  h("button", { type: "submit", text: t("statShow") }));
  if (view && chosen) result.replaceChildren(...openDataBody(view, chosen));
  return show(t("openData"), h("p", { class: "muted", text: t("openDataHelp") }), form, result);
}

function openDataBody(view, table) {
  const totals = table.rows.find((row) => row.institution_id === null);
  const byGrade = totals.cells.filter((cell) => cell.grade !== "TOTAL").map((cell) => [gradeLabel(cell.grade), cell.count]);
  const grades = table.grades;
  const csv = `open-data/statistics?${new URLSearchParams({ date: view.date, format: "csv" })}`;
  return [
    h("h2", { text: `${inLanguage(table.municipality_name)}, ${view.date}` }),
    barChart(byGrade),
    countTable("open-data-by-grade", t("statByGrade"), t("statGrade"), byGrade),
    h("h2", { text: t("statByInstitution") }),
    h("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": t("statByInstitution") },
      h("table", { id: "open-data-table" }, h("caption", { text: t("statByInstitutionGrade") }),
        h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("statInstitution") }),
          grades.map((grade) => h("th", { scope: "col", text: gradeLabel(grade) })))),
        h("tbody", {}, table.rows.map((row) => h("tr", {},
          h("th", { scope: "row", text: row.name || t("statTotal") }),
          row.cells.map((cell) => h("td", { text: cell.count ?? WITHHELD }))))))),
    h("p", { class: "muted", text: t("openDataWithheld") }),
    h("p", {}, h("a", { id: "open-data-csv", href: csv, download: `mokiniai-${view.date}.csv`, text: t("openDataCsv") })),
  ];
}
