// Municipality officials (docs/STATE.md section 2): the ministry's page to appoint and remove them
// (`#/officials`, `#/officials/LT-57`), and an official's landing page (`#/municipality`) — their
// municipality by name, its institutions, and the state views they may open.
import { api, publicApi } from "./api.js";
import { t } from "./i18n.js";
import { PERSON_ID, alertBox, current, h, inLanguage, path, problemText, show } from "./ui.js";

const CODE = /^LT-[0-9]{2}$/; // ISO 3166-2:LT, chalicelib/domain/municipalities.py

// The ministry's page: choose a municipality, see its officials, appoint one, remove one.
export async function officials(argument) {
  const live = current();
  const { municipalities } = await publicApi("municipalities");
  if (!live()) return null;
  // Only a code the register lists: an address naming anything else asks nothing more.
  const chosen = argument && CODE.test(argument) ? municipalities.find((m) => m.code === argument) : null;
  const select = h("select", { id: "municipality", required: true },
    h("option", { value: "", text: t("chooseMunicipality") }),
    municipalities.map((m) => h("option", { value: m.code, selected: m.code === chosen?.code, text: inLanguage(m.name) })));
  const picker = h("form", { onsubmit: (event) => {
    event.preventDefault();
    if (select.value) location.hash = `#/officials/${encodeURIComponent(select.value)}`;
  } },
  h("p", {}, h("label", { for: "municipality", text: t("municipality") }), select),
  h("button", { type: "submit", text: t("showOfficials") }));
  if (!chosen) {
    return show(t("municipalityOfficials"), picker, argument ? alertBox(t("notFound")) : null);
  }
  const { officials: appointed } = await api(path("municipalities", chosen.code, "officials"));
  if (!live()) return null;
  const refresh = () => officials(chosen.code);
  const message = h("div", { "aria-live": "polite" });
  const act = async (call) => { try { await call(); await refresh(); } catch (error) { message.replaceChildren(alertBox(problemText(error))); } };
  const person = h("input", { id: "official-code", inputmode: "numeric", required: true, autocomplete: "off" });
  const from = h("input", { id: "official-from", type: "date", required: true });
  const to = h("input", { id: "official-to", type: "date", required: true });
  return show(t("municipalityOfficials"), picker, message,
    h("section", {}, h("h2", { text: inLanguage(chosen.name) }),
      appointed.length ? h("ul", { class: "plain" }, appointed.map((o) => h("li", { class: "card" },
        h("p", { text: o.name || t("unknownPerson") }),
        h("p", { class: "muted", text: `${o.valid_from} – ${o.valid_to}` }),
        h("button", { type: "button", class: "link", text: `${t("remove")}: ${o.name || t("unknownPerson")}`,
          onclick: () => act(() => api(path("municipalities", chosen.code, "officials", o.person_id), { method: "DELETE" })) }))))
        : h("p", { class: "empty", text: t("noOfficials") })),
    h("section", {}, h("h2", { text: t("appointOfficial") }),
      h("form", { onsubmit: (event) => {
        event.preventDefault();
        const personId = person.value.trim();
        if (!PERSON_ID.test(personId)) return message.replaceChildren(alertBox(t("checkCode")));
        return act(() => api(path("municipalities", chosen.code, "officials", personId),
          { method: "PUT", body: { valid_from: from.value, valid_to: to.value } }));
      } },
      h("p", {}, h("label", { for: "official-code", text: t("personalCode") }), person),
      h("p", {}, h("label", { for: "official-from", text: t("from") }), from),
      h("p", {}, h("label", { for: "official-to", text: t("to") }), to),
      h("button", { type: "submit", text: t("appointOfficial") }))));
}

// An official's landing page: each municipality they are an official of today, as the register
// says now (not as the page loaded it: a removed official sees nothing more).
export async function municipality() {
  const live = current();
  const { municipalities } = await api("me");
  if (!live()) return null;
  if (!municipalities.length) return show(t("myMunicipality"), alertBox(t("noAccess")));
  const views = await Promise.all(municipalities.map((m) => api(path("municipalities", m.code))));
  if (!live()) return null;
  // The state views other parts of the register add; each takes the municipality from the caller.
  const links = [["#/reporting", t("reportingLink")], ["#/statistics", t("statisticsLink")], ["#/outside", t("outsideLink")]];
  return show(views.length === 1 ? inLanguage(views[0].name) : t("myMunicipality"),
    ...views.map((view) => h("section", {},
      views.length === 1 ? null : h("h2", { text: inLanguage(view.name) }),
      h("ul", { class: "plain links" }, links.map(([href, text]) => h("li", {}, h("a", { href, text })))),
      h(views.length === 1 ? "h2" : "h3", { text: t("municipalityInstitutions") }),
      view.institutions.length
        ? h("ul", { class: "plain" }, view.institutions.map((i) => h("li", { class: "card", text: i.name })))
        : h("p", { class: "empty", text: t("noMunicipalityInstitutions") }))));
}
