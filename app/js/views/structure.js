// Ajouter une structure: its SIRET and its technical account, proven against the portal by
// the API before anything is kept (each refusal is the API's French problem); then the first
// sync's progress until the invoices are there. A structure that already has members gets a
// join request sent to its main managers instead.
import { ApiError, change, get } from "../api.js";
import { h, show } from "../dom.js";
import { field, passwordField, sendingForm } from "../forms.js";
import { plural } from "../format.js";
import { heading, problem } from "./common.js";

const POLL_MS = 2000;
const UNAVAILABLE = "urn:relais:problem:portal-unavailable";

/** The technical account's fields, shared with its update in the Compte screen. */
export function accountFields(prefix, login = "") {
  const account = field("Identifiant du compte technique", {
    name: "login", id: `${prefix}-login`, autocomplete: "off", spellcheck: "false", maxlength: "200", value: login || null,
  }, { hint: "Sur Chorus Pro, de la forme TECH_1_…@cpro.fr.", missing: "Indiquez l'identifiant du compte technique." });
  const password = passwordField("Mot de passe du compte technique", {
    name: "password", id: `${prefix}-password`, autocomplete: "off", maxlength: "256",
  }, { hint: "Conservé chiffré par Relais.", missing: "Indiquez le mot de passe du compte technique." });
  const expires = field("Date d'expiration du mot de passe (facultatif)", {
    name: "password_expires_on", id: `${prefix}-expiration`, type: "date",
  }, { hint: "À défaut, Relais prend celle que donne le portail." });
  account.input.required = password.input.required = true;
  return [account, password, expires];
}

/** The body of a proof: the optional date left out when empty. */
export function accountBody(values) {
  const body = { login: values.login, password: values.password };
  if (values.password_expires_on) body.password_expires_on = values.password_expires_on;
  return body;
}

/** The portal's unavailability says when to try again. */
export function refusal(error) {
  if (error instanceof ApiError && error.type === UNAVAILABLE && error.retryAfter) {
    const minutes = Math.max(1, Math.ceil(error.retryAfter / 60));
    return `${error.message} Nouvel essai possible dans ${plural(minutes, "minute", "minutes")}.`;
  }
  return null;
}

export async function render(ctx) {
  const title = heading("Ajouter une structure");
  const siret = field("SIRET de la structure", {
    name: "siret", id: "siret", inputmode: "numeric", autocomplete: "off", maxlength: "17", spellcheck: "false",
  }, { hint: "14 chiffres, tels qu'ils figurent sur Chorus Pro.", missing: "Indiquez le SIRET de la structure." });
  siret.input.required = true;
  const fields = [siret, ...accountFields("ajout")];
  const progress = h("p", { class: "progress-note", role: "status" });
  const { form } = sendingForm({
    fields,
    label: "Vérifier et ajouter",
    refuse: refusal,
    submit: async (values) => {
      progress.textContent = "Vérification auprès du portail Chorus Pro…";
      let added;
      try {
        added = await change("POST", "/structures", { siret: values.siret.replace(/\s+/g, ""), ...accountBody(values) });
      } finally {
        progress.textContent = "";
      }
      if (added.outcome === "requested") return requested(ctx, added);
      ctx.go(`#/structures/${added.structure.id}/synchronisation`);
    },
  });
  form.append(progress);
  ctx.mount(title,
    h("p", {}, "Relais lit les factures de la structure sur Chorus Pro avec son compte technique, raccordé en mode API à l'application Relais. Il vérifie ces identifiants auprès du portail avant d'enregistrer quoi que ce soit."),
    h("p", {}, h("a", { href: "/application/connexion-au-portail/" }, "Préparer la structure sur le portail"), " (compte technique, raccordement en mode API)."),
    form);
}

/** The structure has members already: the request went to its main managers. */
function requested(ctx, added) {
  ctx.mount(heading("Demande d'accès envoyée"),
    h("div", { class: "card", role: "status" },
      h("p", {}, h("strong", {}, added.structure.name), ` (SIRET ${added.structure.siret})`),
      h("p", {}, added.message)),
    h("p", {}, h("a", { href: "#/synthese" }, "Revenir à la Synthèse")));
}

/** La première synchronisation : its state, asked again every 2 s until it ends. */
export async function progress(ctx) {
  const id = Number(ctx.match[1]);
  const title = heading("Synchronisation");
  let me, status;
  try {
    [me, status] = await Promise.all([get("/me"), get(`/structures/${id}/sync`)]);
  } catch (error) {
    return ctx.mount(title, problem(error));
  }
  const membership = me.data.structures.find((s) => s.id === id);
  const state = h("div", { class: "card", role: "status", "aria-live": "polite" });
  const next = h("p", { class: "actions" });
  let timer = null;
  let left = false;
  ctx.onLeave(() => {
    left = true;
    clearTimeout(timer);
  });
  const paint = (now) => {
    const done = !["scheduled", "running"].includes(now.state);
    const count = plural(now.invoices_stored, "facture reprise", "factures reprises");
    show(state,
      h("p", { class: "figure" }, done ? count : `${count} pour l'instant…`),
      h("p", {}, now.state === "running" ? "Reprise de l'historique en cours." : now.message));
    show(next,
      now.invoices_stored ? h("a", { class: "primary", href: `#/factures?structure_id=${id}` }, "Voir ses factures") : null, " ",
      h("a", { href: "#/synthese" }, "Aller à la Synthèse"));
    if (!done && !left) timer = setTimeout(poll, POLL_MS);
  };
  const poll = async () => {
    if (left) return;
    try {
      paint((await get(`/structures/${id}/sync`)).data);
    } catch {
      if (!left) timer = setTimeout(poll, POLL_MS * 2); // a lost answer: the next one will tell
    }
  };
  ctx.mount(title,
    membership ? h("p", { class: "muted" }, `${membership.name} · SIRET ${membership.siret}`) : null,
    h("p", {}, "Relais reprend l'historique des factures de la structure, sans vous envoyer de notification pour les anciennes."),
    state, next);
  paint(status.data);
}
