// What every page is built from: elements, the page frame, errors, addresses and files. The pages
// themselves live in app.js (the citizen's and the school's) and in one module per state view.
import { ApiError } from "./api.js";
import { currentLanguage, t } from "./i18n.js";

export const main = document.getElementById("main");
export const nav = document.getElementById("nav");

export function h(tag, attributes = {}, ...children) {
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

// Pages render after awaiting the API; a page the person has already left must not overwrite the
// one they went to. Each navigation gets a number; a page checks it is still current before showing.
let routeSeq = 0;

// A new navigation: pages still loading from before will find they are no longer current.
export function navigate() {
  routeSeq += 1;
  return current();
}

export function current() {
  const seq = routeSeq;
  return () => seq === routeSeq;
}

export function show(title, ...content) {
  main.replaceChildren(h("h1", { text: title, tabindex: "-1" }), ...content);
  main.querySelector("h1").focus(); // a screen reader hears the new page's title
}

// A text the register sends by language (`{"lt": …, "en": …}`), in the page's language, else Lithuanian.
export function inLanguage(texts) {
  return texts[currentLanguage()] ?? texts.lt;
}

export function problemText(error) {
  if (error instanceof ApiError) {
    if (error.status === 403) return t("noAccess");
    if (error.status === 404) return t("notFound");
    if (error.status === 409) return t("conflict");
    if (error.problem?.errors?.length) return error.problem.errors.map((e) => `${e.field}: ${e.messages[currentLanguage()] ?? e.messages.lt}`).join("; ");
  }
  return t("failed");
}

export function alertBox(text) {
  return h("p", { role: "alert", class: "alert", text });
}

export function saveFile(blob, name) {
  const link = h("a", { href: URL.createObjectURL(blob), download: name });
  link.click();
  URL.revokeObjectURL(link.href);
}

// --- addresses ------------------------------------------------------------------------------------
// Whoever wrote a link wrote the part after `#`, so it is read strictly: `#/page` or
// `#/page/argument`, the argument decoded once and checked against the form of what it names before
// anything is asked of the API. API paths are built only by `path()`, which encodes every segment,
// so no value can add a segment, a `..` or a query.
export const PERSON_ID_FORM = "[0-9]{11}|MR-[0-9A-HJKMNP-TV-Z]{10}"; // chalicelib/domain/person_id.py
export const PERSON_ID = new RegExp(`^(?:${PERSON_ID_FORM})$`);
export const SHARE_SECRET = /^[A-Za-z0-9_-]{43}$/; // secrets.token_urlsafe(32), chalicelib/services/shares.py
export const BAD = Symbol("an address argument that cannot be valid");

export function parseAddress(hash) {
  const [page, argument, ...rest] = (hash || "#/history").replace(/^#\/?/, "").split("/");
  if (rest.length) return { page, argument: BAD };
  if (!argument) return { page, argument: null };
  try {
    return { page, argument: decodeURIComponent(argument) };
  } catch {
    return { page, argument: BAD }; // a stray `%`
  }
}

export function path(...segments) {
  return segments.map((segment) => encodeURIComponent(segment)).join("/");
}

// Why someone else's data is read: typed by the user for this one read, never taken from the
// address or kept for later. One line of at most 200 characters, as the API accepts.
export function purposeInput(id) {
  return h("input", { id, required: true, maxlength: "200", autocomplete: "off" });
}

export function typedPurpose(input) {
  const text = input.value.trim();
  return text && !/[\u0000-\u001f\u007f]/.test(text) ? text : null;
}
