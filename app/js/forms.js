// The forms of the getting-in and account screens: a labelled field with its hint and its
// error, the API's refusals shown beside the field they name (or above the button), and a
// button that stays disabled while the request runs.
import { ApiError, Offline, SignedOut, anonymous } from "./api.js";
import { h } from "./dom.js";

let made = 0;
const CODE_REFUSED = "urn:relais:problem:two-factor-invalid";
const CODE_FIELDS = ["code", "otp"];
const PAUSE_MS = 600; // typing paused this long: the password is judged

/**
 * A labelled input: {row, input, name, setError}. `hint` is read with the field; `missing`
 * is said when a required field is left empty.
 */
export function field(label, attrs, { hint = null, missing = null } = {}) {
  const id = attrs.id || `champ-${++made}`;
  const hintId = hint ? `${id}-aide` : null;
  const error = h("p", { id: `${id}-erreur`, class: "field-error", hidden: true });
  const input = h("input", { ...attrs, id, "aria-describedby": [hintId, error.id].filter(Boolean).join(" ") });
  const row = h("div", { class: "field" },
    h("label", { for: id }, label),
    hint ? h("p", { id: hintId, class: "hint" }, hint) : null,
    input, error);
  const setError = (text) => {
    error.textContent = text || "";
    error.hidden = !text;
    if (text) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };
  return { row, input, name: attrs.name, missing: missing || `Indiquez : ${label.toLowerCase()}.`, setError };
}

/** A password field with a box that shows what is typed (phones' keyboards make typos). */
export function passwordField(label, attrs, options = {}) {
  const found = field(label, { type: "password", spellcheck: "false", ...attrs }, options);
  const toggle = h("input", { type: "checkbox", id: `${found.input.id}-voir` });
  toggle.addEventListener("change", () => { found.input.type = toggle.checked ? "text" : "password"; });
  found.row.append(h("div", { class: "check" }, toggle, h("label", { for: toggle.id }, "Afficher les caractères saisis")));
  found.raw = true; // a password is sent as typed, spaces included
  return found;
}

/**
 * The API's verdict on a new password while it is typed (after a pause): accepted, or why it
 * would be refused — the same rule and words as the sign-up. `personal()` gives the e-mail
 * and name a password must not reuse. Without the network it says nothing: the form's answer
 * will.
 */
export function liveVerdict(found, personal) {
  const line = h("p", { id: `${found.input.id}-avis`, class: "verdict", role: "status", "aria-live": "polite" });
  found.input.after(line);
  found.input.setAttribute("aria-describedby", `${found.input.getAttribute("aria-describedby")} ${line.id}`);
  let timer = null;
  let asked = 0;
  const ask = async () => {
    const mine = ++asked;
    const password = found.input.value;
    if (!password) return show(line, null);
    try {
      const verdict = await anonymous("POST", "/accounts/password-check", { password, ...personal() });
      if (mine !== asked) return; // typed again meanwhile
      line.className = verdict.acceptable ? "verdict ok" : "verdict weak";
      line.textContent = verdict.acceptable ? "Mot de passe accepté." : verdict.message;
    } catch {
      if (mine === asked) show(line, null);
    }
  };
  // One reason at a time: the form's refusal replaces the verdict, typing again the refusal.
  const setError = found.setError;
  found.setError = (text) => {
    setError(text);
    if (text) {
      asked += 1; // a verdict still on its way is not shown
      show(line, null);
    }
  };
  found.input.addEventListener("input", () => {
    setError(null);
    clearTimeout(timer);
    timer = setTimeout(ask, PAUSE_MS);
  });
  return found;
}

function show(line, text) {
  line.className = "verdict";
  line.textContent = text || "";
}

/** What went wrong, for a person: the API's French detail, or the network's absence. */
export function explain(error, offlineText = "Hors ligne : cette action demande le réseau. Réessayez quand il revient.") {
  if (error instanceof Offline) return offlineText;
  if (error instanceof SignedOut) return "Votre session a pris fin : reconnectez-vous.";
  if (error instanceof ApiError) return error.message;
  return "Une erreur est survenue. Réessayez.";
}

/**
 * A form that sends itself: `submit(values)` runs with the fields' values ({name: value});
 * what it throws is shown (each refused field beside it, the rest above the button).
 * `refuse(error)` may turn a particular problem into a text of its own (or null for the default).
 */
export function sendingForm({ fields, label, submit, refuse = () => null, extra = [], className = "stack card" }) {
  const alert = h("p", { class: "error", role: "alert", hidden: true });
  const button = h("button", { class: "primary", type: "submit" }, label);
  const form = h("form", { class: className, novalidate: true },
    fields.map((f) => f.row), alert, h("div", { class: "actions" }, button, extra));
  const say = (text) => {
    alert.textContent = text || "";
    alert.hidden = !text;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(null);
    for (const f of fields) f.setError(null);
    const empty = fields.find((f) => f.input.required && !f.input.value.trim());
    if (empty) {
      empty.setError(empty.missing);
      empty.input.focus();
      return;
    }
    const values = Object.fromEntries(fields.map((f) => [f.name, f.raw ? f.input.value : f.input.value.trim()]));
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      await submit(values);
    } catch (error) {
      showFailure(error, fields, say, refuse);
    } finally {
      button.disabled = false;
      form.removeAttribute("aria-busy");
    }
  });
  return { form, say, button };
}

function showFailure(error, fields, say, refuse) {
  const own = refuse(error);
  if (own) return say(own);
  const placed = [];
  if (error instanceof ApiError && error.type === CODE_REFUSED) {
    // A wrong two-factor code: said beside the code's field, ready to be typed again.
    const target = fields.find((f) => CODE_FIELDS.includes(f.name));
    if (target) {
      target.setError(error.message);
      target.input.select();
      target.input.focus();
      return;
    }
  }
  if (error instanceof ApiError) {
    for (const param of error.params) {
      const target = fields.find((f) => f.name === param.name);
      if (target && !placed.includes(target)) {
        target.setError(param.reason);
        placed.push(target);
      }
    }
  }
  if (placed.length) {
    placed[0].input.focus();
    if (placed.length < error.params.length) say(error.message);
    return;
  }
  say(explain(error));
}

/** A titled section of a screen, named by its heading (where the focus goes back after a
 * change redraws it). */
export function panel(id, title, ...children) {
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id, tabindex: "-1" }, title), ...children);
}

/** Put the focus back on a section's heading (its button was redrawn away). */
export function backTo(id) {
  const title = document.getElementById(id);
  if (title) title.focus();
}
