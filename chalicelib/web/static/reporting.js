// Reporting discipline (docs/STATE.md section 1): the school's upload history and overdue notice,
// and the state's list of every institution's reporting (`#/reporting`) with its filters and files.
import { api, publicApi } from "./api.js";
import { t } from "./i18n.js";
import { alertBox, current, h, inLanguage, path, problemText, saveFile, show } from "./ui.js";

const HISTORY_PAGE = 5; // a phone's screenful of uploads; "show more" asks for the next
const LIST_PAGE = 50;
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// Times as a person in Lithuania reads them, whatever the device's own time zone.
function when(iso) {
  return iso ? new Date(iso).toLocaleString(t("locale"), { timeZone: "Europe/Vilnius", dateStyle: "short", timeStyle: "short" }) : t("never");
}

// A "show more" button that asks `load(cursor)` for the next page and appends what it answers; it
// disappears (hidden, which site.css makes win over a button's display) when there is no next page.
function pager(load, target, cursor) {
  let next = cursor;
  const more = h("button", { type: "button", class: "more", text: t("more"), onclick: async () => {
    more.disabled = true;
    try {
      const page = await load(next);
      target.append(...page.items);
      next = page.cursor;
    } catch (error) {
      target.after(alertBox(problemText(error)));
    }
    more.disabled = false;
    more.hidden = !next;
  } });
  more.hidden = !next;
  return more;
}

// --- the school's page ----------------------------------------------------------------------------

// The school page's two parts: the overdue notice (shown only when the register says overdue, with
// why in words) and the upload history, newest first. Both fill in when the API answers; `reload`
// reads them again (after an upload).
export function schoolReporting(institution) {
  const notice = h("div", { id: "overdue-notice" });
  const list = h("ul", { class: "cards", id: "upload-history" });
  const history = h("section", { "aria-labelledby": "upload-history-title" },
    h("h2", { id: "upload-history-title", text: t("uploadHistory") }), h("div", {}, list));
  const uploadsPath = path("institutions", institution.institution_id, "uploads");
  const uploads = async (cursor) => {
    const query = new URLSearchParams({ limit: String(HISTORY_PAGE), ...(cursor ? { cursor } : {}) });
    const page = await api(`${uploadsPath}?${query}`);
    return { items: page.uploads.map(uploadCard), cursor: page.next_cursor };
  };
  const reload = async () => {
    const live = current();
    try {
      const [activity, first] = await Promise.all([
        api(path("institutions", institution.institution_id, "activity")), uploads(null)]);
      if (!live()) return;
      notice.replaceChildren(...(activity.overdue ? [overdueNotice(activity)] : []));
      list.replaceChildren(...(first.items.length ? first.items : [h("li", { class: "empty", text: t("noUploads") })]));
      history.querySelector("button.more")?.remove();
      list.after(pager(uploads, list, first.cursor));
    } catch (error) {
      if (live()) list.replaceChildren(h("li", {}, alertBox(problemText(error))));
    }
  };
  list.append(h("li", { text: t("loading") }));
  reload();
  return { notice, history, reload };
}

function overdueNotice(activity) {
  return h("div", { class: "alert", role: "status" },
    h("p", {}, h("strong", { text: t("overdueNotice") })),
    h("ul", {}, activity.overdue_texts.map((reason) => h("li", { text: inLanguage(reason) }))),
    h("p", { text: `${t("lastApiChange")}: ${when(activity.last_api_change_at)}; ${t("lastUpload")}: ${when(activity.last_upload?.at)}` }));
}

function uploadCard(upload) {
  return h("li", { class: "card upload" },
    h("h3", { text: `${when(upload.created_at)} · ${t(`status_${upload.status}`)}${upload.dry_run ? ` · ${t("dryRunMark")}` : ""}` }),
    h("p", { class: "muted", text: upload.file_name }),
    h("dl", {}, [["rowsWritten", upload.rows_written], ["rowsRejected", upload.rows_rejected]]
      .map(([label, value]) => [h("dt", { text: t(label) }), h("dd", { text: value })])),
    upload.report ? h("p", {}, h("a", { href: upload.report.json, text: t("reportJson") }), " · ",
      h("a", { href: upload.report.csv, text: t("reportCsv") })) : null);
}

// --- the state's list -----------------------------------------------------------------------------

let municipalities = null; // GET municipalities: the same for everyone, read once

// The ministry sees every institution or one municipality's; an official only their own
// (`me.municipalities`, a list of {code, name}), so their select has no "all" and starts at their
// first: the API refuses an official's unfiltered list.
export async function reportingPage(me) {
  const live = current();
  const ministry = me.roles.includes("ministry");
  const own = me.municipalities || [];
  if (ministry || !own.length) municipalities ??= (await publicApi("municipalities")).municipalities;
  if (!live()) return null;
  const offered = ministry || !own.length ? municipalities : own;
  const municipality = h("select", { id: "filter-municipality" },
    ministry ? h("option", { value: "", text: t("allMunicipalities") }) : null,
    offered.map((m) => h("option", { value: m.code, text: inLanguage(m.name) })));
  const overdue = h("select", { id: "filter-overdue" },
    [["", "overdueAll"], ["true", "overdueOnly"], ["false", "onTimeOnly"]].map(([value, key]) => h("option", { value, text: t(key) })));
  const results = h("div", { id: "reporting-results", "aria-live": "polite" });
  const filters = () => {
    const query = {};
    if (municipality.value) query.municipality = municipality.value;
    if (overdue.value) query.overdue = overdue.value;
    return query;
  };
  const list = async () => {
    const chosen = filters();
    const rows = h("ul", { class: "cards", id: "reporting-list" });
    const load = async (cursor) => {
      const page = await api(`reporting?${new URLSearchParams({ ...chosen, limit: String(LIST_PAGE), ...(cursor ? { cursor } : {}) })}`);
      return { items: page.institutions.map(institutionCard), cursor: page.next_cursor };
    };
    results.replaceChildren(h("p", { text: t("loading") }));
    try {
      const first = await load(null);
      rows.append(...first.items);
      // A page filtered by overdue may hold no row while later pages do: "show more" still offers them.
      results.replaceChildren(...(first.items.length || first.cursor ? [] : [h("p", { class: "empty", text: t("noInstitutions") })]),
        rows, pager(load, rows, first.cursor));
    } catch (error) {
      results.replaceChildren(alertBox(problemText(error)));
    }
  };
  const download = (format) => h("button", { type: "button", text: t(format === "csv" ? "downloadCsv" : "downloadXlsx"), onclick: async () => {
    const message = document.getElementById("download-result");
    message.replaceChildren(h("p", { text: t("loading") }));
    try {
      const query = new URLSearchParams({ ...filters(), format, lang: t("locale").startsWith("en") ? "en" : "lt" });
      const file = await api(`reporting?${query}`, { as: "blob", headers: { Accept: format === "xlsx" ? XLSX : "text/csv" } });
      saveFile(file, `atsiskaitymas${filters().municipality ? `-${filters().municipality}` : ""}.${format}`);
      message.replaceChildren(h("p", { text: t("listSaved") }));
    } catch (error) {
      message.replaceChildren(alertBox(problemText(error)));
    }
  } });
  show(t("reporting"),
    h("form", { class: "filters", onsubmit: (event) => { event.preventDefault(); list(); } },
      h("p", {}, h("label", { for: "filter-municipality", text: t("municipality") }), municipality),
      h("p", {}, h("label", { for: "filter-overdue", text: t("overdueFilter") }), overdue),
      h("button", { type: "submit", text: t("showList") })),
    h("section", { "aria-labelledby": "downloads-title" }, h("h2", { id: "downloads-title", text: t("downloadAll") }),
      h("p", { class: "actions" }, download("csv"), " ", download("xlsx")), h("div", { id: "download-result", "aria-live": "polite" })),
    h("section", { "aria-labelledby": "institutions-title" }, h("h2", { id: "institutions-title", text: t("institutions") }), results));
  await list();
  return null;
}

// Overdue is said in words (and marked by a border), never by colour alone.
function institutionCard(row) {
  const upload = row.last_upload;
  const facts = [
    ["municipality", inLanguage(row.municipality_name)],
    ["lastUpload", upload ? `${when(upload.at)} · ${t(`status_${upload.status}`)} · ${t("rowsWritten")} ${upload.rows_written}, ${t("rowsRejected").toLowerCase()} ${upload.rows_rejected}` : t("never")],
    ["lastApiChange", when(row.last_api_change_at)],
    ...(row.open_enrolments === null ? [] : [["openEnrolments", row.open_enrolments]]),
    ...(row.open_movements === null ? [] : [["openMovements", row.open_movements]]),
  ];
  return h("li", { class: row.overdue ? "card overdue" : "card" },
    h("h3", { text: row.name }),
    h("p", {}, h("strong", { text: row.overdue ? t("overdue") : t("onTime") })),
    row.overdue ? h("ul", {}, row.overdue_texts.map((reason) => h("li", { text: inLanguage(reason) }))) : null,
    h("dl", { class: "stacked" }, facts.map(([label, value]) => [h("dt", { text: t(label) }), h("dd", { text: value })])));
}
