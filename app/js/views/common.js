// Pieces every screen uses: the heading, the offline notice, errors, an invoice's line.
import { ApiError, Offline, SignedOut } from "../api.js";
import { h } from "../dom.js";
import { dateTime, day, euros, inDays } from "../format.js";

/** The screen's title: the page's <title> too, and where the focus goes after navigating. */
export function heading(text) {
  document.title = `${text} — Relais`;
  return h("h1", { tabindex: "-1" }, text);
}

/** « hors ligne — données du … » when the answer was read back without the network. */
export function staleNotice(...results) {
  const offline = results.filter((r) => r && r.offline);
  if (!offline.length) return null;
  const oldest = offline.map((r) => r.storedAt).sort()[0];
  return h("p", { class: "stale", role: "status" }, `Hors ligne — données du ${dateTime(oldest)}`);
}

/** What went wrong, in words (no network, refused, not found…). */
export function problem(error) {
  if (error instanceof SignedOut) return h("p", { class: "stale", role: "status" }, "Votre session a pris fin : reconnectez-vous.");
  if (error instanceof Offline) {
    return h("p", { class: "error", role: "alert" },
      "Hors ligne : cette page n'a pas encore été consultée sur cet appareil. Elle s'affichera dès le retour du réseau.");
  }
  if (error instanceof ApiError && error.status === 404) {
    return h("p", { class: "error", role: "alert" }, "Introuvable : cette facture n'existe pas ou n'est pas dans vos structures.");
  }
  return h("p", { class: "error", role: "alert" }, error instanceof ApiError ? error.message : "Une erreur est survenue.");
}

export function badge(status) {
  return h("span", { class: `badge ${status.category || ""}` }, status.label);
}

/** The status, and « En retard » beside it when the payment deadline has passed. */
export function badges(invoice) {
  return [badge(invoice.status), invoice.late ? [" ", h("span", { class: "badge late" }, "En retard")] : null];
}

/** What comes next for an unpaid invoice, and by when. */
export function nextStep(invoice) {
  const ack = invoice.acknowledgement;
  if (ack) {
    return ack.mandatory
      ? `Acquittement obligatoire sur le portail depuis le ${day(ack.mandatory_from)}`
      : `Acquittement obligatoire sur le portail à partir du ${day(ack.mandatory_from)} (${inDays(ack.days_until_mandatory)})`;
  }
  if (invoice.late) return `Paiement en retard : date limite dépassée le ${day(invoice.due_on)}`;
  if (invoice.due_on && !invoice.status.final) return `Paiement attendu au plus tard le ${day(invoice.due_on)}`;
  return null;
}

/** One invoice in a list: the whole line opens it. */
export function invoiceLine(invoice) {
  const next = nextStep(invoice);
  return h("li", {},
    h("a", { class: "invoice-link", href: `#/factures/${invoice.id}` },
      h("span", { class: "number" }, `Facture ${invoice.number}`),
      h("span", { class: "amount" }, euros(invoice.amount_incl_tax)),
      h("span", { class: "who" }, invoice.recipient.name),
      h("span", { class: "when" }, badges(invoice), " ", `le ${day(invoice.status.changed_at)}`),
      next ? h("span", { class: "next" }, next) : null));
}
