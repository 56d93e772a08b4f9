// The pages' texts come from the register (`GET texts/{lang}`, built from chalicelib/i18n/<lang>.json;
// keys a language does not translate arrive in Lithuanian), and this module loads them before any
// page is drawn: app.js imports it, so app.js runs only after the texts are here (top-level await).
// The language choice is not personal data, so it may live in localStorage; tokens never do.
const STORED = "mr-language";
let language = "lt";
let texts = {};
let offered = [];

async function load(wanted) {
  try {
    const response = await fetch(`texts/${encodeURIComponent(wanted)}`, { credentials: "omit" });
    if (response.ok) {
      ({ language, texts, languages: offered } = await response.json());
      return true;
    }
  } catch {
    // Offline or the register unreachable: below, Lithuanian; the static page already is.
  }
  // A language no longer offered (its catalogue removed) falls back to Lithuanian.
  return wanted !== "lt" && load("lt");
}

await load(localStorage.getItem(STORED) || "lt");

export function t(key) {
  return texts[key] ?? key;
}

export function currentLanguage() {
  return language;
}

// The chooser offers every other language the register has, each button named in its own language
// and marked with its `lang`; the accessible name starts with the visible text (EN, PL), as speech
// input expects.
function renderChooser() {
  const chooser = document.getElementById("language");
  chooser.replaceChildren(...offered.filter((other) => other.code !== language).map((other) => {
    const button = document.createElement("button");
    Object.assign(button, { type: "button", className: "link", lang: other.code, textContent: other.code.toUpperCase() });
    button.dataset.language = other.code;
    button.setAttribute("aria-label", `${button.textContent} — ${other.switch}`);
    return button;
  }));
}

export async function setLanguage(next) {
  if (next !== language || !offered.length) await load(next);
  localStorage.setItem(STORED, language);
  document.documentElement.lang = language;
  document.title = t("brand");
  for (const element of document.querySelectorAll("[data-t]")) element.textContent = t(element.dataset.t);
  renderChooser();
  document.getElementById("nav").setAttribute("aria-label", t("menu"));
}
