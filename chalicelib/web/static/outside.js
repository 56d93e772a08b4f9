// Children outside education (docs/STATE.md section 5): a municipality official's list of school-age
// residents with no open enrolment, and the ministry's national counts. The list names children
// and every child shown is journaled in their history, so it is read only when the button is
// pressed with a purpose typed in, never by opening an address; further pages reuse that purpose.
import { api, publicApi } from "./api.js";
import { t } from "./i18n.js";
import { alertBox, current, h, inLanguage, path, problemText, purposeInput, show, typedPurpose } from "./ui.js";

const MUNICIPALITY = /^LT-\d{2}$/;

export async function outside(me, argument) {
  const live = current();
  const sections = [];
  const mine = me.municipalities || []; // the municipalities the caller is an official of: {code, name}
  if (me.roles.includes("ministry")) sections.push(await countsSection(live));
  if (!live()) return null;
  if (argument && !MUNICIPALITY.test(argument)) return show(t("outsideTitle"), alertBox(t("badLink")));
  // A municipality named in the address is offered as is: the API decides whether the caller may read it.
  const chosen = argument ? [{ code: argument }] : mine;
  if (chosen.length === 1) sections.push(listSection(chosen[0].code));
  else if (chosen.length > 1) {
    sections.push(h("section", {}, h("h2", { text: t("outsideChoose") }), h("ul", { class: "plain" }, chosen.map((m) =>
      h("li", {}, h("a", { href: `#/outside/${encodeURIComponent(m.code)}`, text: inLanguage(m.name) }))))));
  }
  if (!sections.length) sections.push(alertBox(t("noAccess")));
  return show(t("outsideTitle"), ...sections);
}

// --- the ministry: counts by municipality, no names -----------------------------------------------

async function countsSection(live) {
  const result = h("div", { "aria-live": "polite" });
  const day = h("input", { id: "outside-date", type: "date" });
  const load = async () => {
    result.replaceChildren(h("p", { text: t("loading") }));
    try {
      const query = day.value ? `?${new URLSearchParams({ date: day.value })}` : "";
      const counts = await api(`outside-education/counts${query}`);
      if (live()) result.replaceChildren(countsTable(counts));
    } catch (error) {
      if (live()) result.replaceChildren(alertBox(problemText(error)));
    }
  };
  await load();
  return h("section", {}, h("h2", { text: t("outsideCounts") }),
    h("p", { class: "muted", text: t("outsideCountsHelp") }),
    h("form", { novalidate: true, onsubmit: (event) => { event.preventDefault(); load(); } },
      h("p", {}, h("label", { for: "outside-date", text: t("outsideDate") }), day),
      h("button", { type: "submit", text: t("show") })),
    result);
}

function countsTable(counts) {
  return h("div", {},
    h("p", { id: "outside-total", text: `${t("outsideAsOf")} ${counts.date}: ${counts.total}` }),
    counts.municipalities.length ? h("table", {},
      h("caption", { class: "muted", text: t("outsideCounts") }),
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("municipality") }), h("th", { scope: "col", text: t("outsideChildren") }))),
      h("tbody", {}, counts.municipalities.map((row) => h("tr", {},
        h("td", { text: inLanguage(row.municipality_name) }), h("td", { text: row.children })))))
      : h("p", { class: "empty", text: t("outsideNone") }));
}

// --- an official: the list, with a purpose --------------------------------------------------------

function listSection(code) {
  const purpose = purposeInput("outside-purpose");
  const result = h("div", { id: "outside-result", "aria-live": "polite" });
  return h("section", {}, h("h2", { text: t("outsideList") }),
    h("p", { class: "muted", text: t("outsideListHelp") }),
    h("form", { novalidate: true, onsubmit: (event) => {
      event.preventDefault();
      const why = typedPurpose(purpose);
      if (!why) return result.replaceChildren(alertBox(t("purposeNeeded")));
      result.replaceChildren();
      return listPage(code, why, null, result);
    } },
    h("p", {}, h("label", { for: "outside-purpose", text: t("purpose") }), purpose),
    h("button", { type: "submit", text: t("outsideShow") })),
    result);
}

// Leaving reasons by the register's code list (`GET /schema/records`), fetched once.
let reasons = null;

async function reasonLabel(code) {
  if (!code) return "";
  if (!reasons) {
    const schema = await publicApi("schema/records");
    const field = schema.kinds.flatMap((kind) => kind.fields).find((f) => f.name === "leaving_reason");
    reasons = new Map((field?.choices || []).map((choice) => [choice.code, choice.label]));
  }
  const label = reasons.get(code);
  return label ? inLanguage(label) : code; // a reason stored as text before the code list
}

async function listPage(code, purpose, cursor, target) {
  const live = current();
  const waiting = h("p", { text: t("loading") });
  target.append(waiting);
  try {
    // The purpose goes as a query parameter, as the other pages send it: a header cannot carry
    // Lithuanian letters (fetch takes only ISO-8859-1 header values).
    const query = new URLSearchParams({ purpose, ...(cursor ? { cursor } : {}) });
    const page = await api(`${path("municipalities", code, "outside-education")}?${query}`);
    const cards = await Promise.all(page.children.map(childCard));
    if (!live()) return null;
    waiting.remove();
    if (!cursor) target.append(h("p", { class: "muted", text: inLanguage(page.municipality_name) }));
    if (!cursor && !cards.length) target.append(h("p", { class: "empty", text: t("outsideNone") }));
    target.append(h("ul", { class: "cards" }, cards));
    if (page.next_cursor) {
      const more = h("button", { type: "button", class: "link", text: t("more"), onclick: () => { more.remove(); listPage(code, purpose, page.next_cursor, target); } });
      target.append(more);
    }
  } catch (error) {
    waiting.remove();
    if (live()) target.append(alertBox(problemText(error)));
  }
  return null;
}

async function childCard(child) {
  const name = [child.given_name, child.family_name].filter(Boolean).join(" ");
  const facts = [
    name ? [t("personalCode"), child.person_id] : null, // unnamed: the code is the card's heading
    [t("outsideAge"), child.age],
    [t("outsideLastSchool"), child.last_institution_name || child.last_institution_id || t("outsideNeverEnrolled")],
    child.leaving_reason ? [t("outsideReason"), await reasonLabel(child.leaving_reason)] : null,
    child.since ? [t("outsideSince"), child.since] : null,
  ].filter(Boolean);
  return h("li", { class: "card" },
    h("h3", { text: name || child.person_id }),
    h("dl", {}, facts.map(([label, value]) => [h("dt", { text: label }), h("dd", { text: value })])));
}
