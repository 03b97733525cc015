// Détail: the invoice, its recipient and service, the payment block with its computation
// steps and the claim letter, and the history as a timeline with both codes explained.
import { Offline, download, get } from "../api.js";
import { announce, h } from "../dom.js";
import { dateTime, day, euros, inDays, number, plural } from "../format.js";
import { badges, heading, nextStep, problem, staleNotice } from "./common.js";

const TYPES = { FACTURE: "Facture", AVOIR: "Avoir", ACOMPTE: "Facture d'acompte" };
const STATES = {
  credit_note: "Avoir : aucun paiement attendu",
  nothing_to_pay: "Rien à payer",
  rejected: "Facture close sans paiement",
  not_started: "Délai de paiement pas encore commencé",
  running: "Délai de paiement en cours",
  suspended: "Délai interrompu : pièces attendues",
  late: "En retard de paiement",
  paid: "Payée",
  paid_on_time: "Payée dans le délai",
  paid_late: "Payée en retard",
};

function facts(rows) {
  return h("dl", { class: "facts" }, rows.filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function section(id, title, ...content) {
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), ...content);
}

function interestBlock(interest) {
  return [
    h("h3", {}, interest.final ? "Intérêts moratoires et indemnité (définitifs)" : "Intérêts moratoires et indemnité (à ce jour)"),
    h("div", { class: "table-wrap" }, h("table", { class: "amount-table" },
      h("caption", { class: "visually-hidden" }, "Montants dus pour le retard"),
      h("tbody", {},
        h("tr", {}, h("th", { scope: "row" }, "Montant de référence"), h("td", { class: "num" }, euros(interest.principal))),
        h("tr", {}, h("th", { scope: "row" }, `Retard du ${day(interest.delay_start)} au ${day(interest.end_date)}`), h("td", { class: "num" }, plural(interest.days, "jour", "jours"))),
        h("tr", {}, h("th", { scope: "row" }, `Taux : BCE ${number(Number(interest.ecb_rate_percent))} % + 8 points`), h("td", { class: "num" }, `${number(Number(interest.rate_percent))} %`)),
        h("tr", {}, h("th", { scope: "row" }, "Intérêts moratoires"), h("td", { class: "num" }, euros(interest.interest))),
        h("tr", {}, h("th", { scope: "row" }, "Indemnité forfaitaire pour frais de recouvrement"), h("td", { class: "num" }, euros(interest.indemnity))),
        h("tr", {}, h("th", { scope: "row" }, h("strong", {}, "Total")), h("td", { class: "num" }, h("strong", {}, euros(interest.total))))))),
    h("h3", {}, "Le calcul, étape par étape"),
    h("ol", { class: "steps" }, interest.steps.map((step) => h("li", {}, step))),
    h("p", { class: "muted" }, `Taux BCE du semestre commençant le ${day(interest.ecb_half_year_start)} — source : ${interest.ecb_source}`),
  ];
}

function claimButtons(invoice) {
  const status = h("p", { role: "status", class: "muted" });
  const fetchLetter = async (format) => {
    status.textContent = "Préparation du courrier…";
    try {
      const { blob, filename } = await download(`/invoices/${invoice.id}/late-payment-claim?format=${format}`);
      const link = h("a", { href: URL.createObjectURL(blob), download: filename, hidden: true });
      document.body.append(link);
      link.click();
      setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      status.textContent = `Courrier téléchargé : ${filename}`;
    } catch (error) {
      status.textContent = error instanceof Offline
        ? "Hors ligne : le courrier se télécharge avec le réseau. Réessayez quand il revient."
        : `Le courrier n'a pas pu être téléchargé : ${error.message}`;
    }
  };
  return [
    h("h3", {}, "Courrier de réclamation"),
    h("p", {}, "Un courrier prêt à envoyer au destinataire, qui réclame les intérêts moratoires et l'indemnité."),
    h("div", { class: "toolbar" },
      h("button", { class: "primary", type: "button", onclick: () => fetchLetter("pdf") }, "Télécharger le courrier (PDF)"),
      h("button", { class: "secondary", type: "button", onclick: () => fetchLetter("text") }, "Version texte")),
    status,
  ];
}

function paymentSection(invoice) {
  const p = invoice.payment;
  const rows = [
    ["Situation", STATES[p.state] || p.state],
    ["Délai légal", `${p.category.days} jours — ${p.category.label} (${p.category.legal_reference})`],
    ["Début du délai", p.start_date ? day(p.start_date) : null],
    ["Date limite de paiement", p.due_date ? `${day(p.due_date)}${p.due_date_provisional ? " (provisoire : si les pièces arrivaient aujourd'hui)" : ""}` : null],
    ["Échéance", p.days_until_due !== null && p.days_until_due >= 0 ? inDays(p.days_until_due) : null],
    ["Jours de retard", p.days_late ? plural(p.days_late, "jour", "jours") : null],
    ["Payée le", p.paid_on ? day(p.paid_on) : null],
  ];
  for (const s of p.suspensions) {
    rows.push(["Délai interrompu", `du ${day(s.start)} ${s.end ? `au ${day(s.end)}` : "(pièces attendues)"} — nouveau délai de ${s.new_period_days} jours`]);
  }
  return section("paiement", "Paiement", facts(rows),
    p.explanation.length ? h("ul", {}, p.explanation.map((line) => h("li", {}, line))) : null,
    p.habits ? h("p", { class: "muted" }, p.habits.sentence) : null,
    p.interest ? interestBlock(p.interest) : null,
    p.interest_problem ? h("p", { class: "stale" }, p.interest_problem) : null,
    p.claim_available ? claimButtons(invoice) : null);
}

function timeline(history) {
  // Newest first: the current status leads.
  return h("ol", { class: "timeline", "aria-label": "Historique des statuts, du plus récent au plus ancien" },
    [...history].reverse().map((step) => h("li", {},
      h("p", {}, h("strong", {}, step.label), " — ", h("time", { datetime: step.occurred_at }, dateTime(step.occurred_at))),
      h("p", { class: "codes" }, `Code du portail : ${step.code}`,
        step.lifecycle_code ? ` · code de la réforme : ${step.lifecycle_code}` : " · sans code de la réforme"),
      h("p", {}, step.explanation),
      step.comment ? h("p", {}, h("em", {}, `Commentaire : ${step.comment}`)) : null,
      step.action ? h("p", {}, h("strong", {}, "À faire : "), step.action) : null)));
}

export async function render(ctx) {
  let result;
  try {
    result = await get(`/invoices/${ctx.match[1]}`);
  } catch (error) {
    return ctx.mount(heading("Facture"), problem(error));
  }
  const invoice = result.data;
  const next = nextStep(invoice);
  ctx.mount(
    h("p", {}, h("a", { href: "#/factures" }, "← Toutes les factures")),
    heading(`${TYPES[invoice.type] || invoice.type} ${invoice.number}`),
    staleNotice(result),
    section("statut", "Où en est-elle ?",
      h("p", {}, badges(invoice), " ", `depuis le ${dateTime(invoice.status.changed_at)}`),
      h("p", {}, invoice.explanation),
      invoice.status.comment ? h("p", {}, h("em", {}, `Commentaire : ${invoice.status.comment}`)) : null,
      invoice.next_action ? h("p", {}, h("strong", {}, "À faire : "), invoice.next_action) : null,
      next ? h("p", {}, h("strong", {}, next)) : null),
    section("facture", "La facture", facts([
      ["Numéro", invoice.number],
      ["Type", TYPES[invoice.type] || invoice.type],
      ["Cadre de facturation", invoice.billing_framework],
      ["Structure", `${invoice.structure.name} (SIRET ${invoice.structure.siret})`],
      ["Date de facture", day(invoice.invoice_date)],
      ["Date de dépôt", day(invoice.deposit_date)],
      ["Montant HT", euros(invoice.amount_excl_tax)],
      ["Montant TTC", euros(invoice.amount_incl_tax)],
      ["Montant à payer", euros(invoice.amount_to_pay)],
      ["Numéro d'engagement", invoice.engagement_number],
      ["Mode de dépôt", invoice.deposit_mode],
      ["Identifiant sur le portail", String(invoice.portal_id)],
    ])),
    section("destinataire", "Destinataire et service", facts([
      ["Destinataire", invoice.recipient.name],
      ["SIRET du destinataire", invoice.recipient.siret],
      ["Service", invoice.service ? `${invoice.service.name} (code ${invoice.service.code})` : "Aucun service indiqué"],
    ])),
    paymentSection(invoice),
    section("historique", "Historique", timeline(invoice.history)));
  announce(`Facture ${invoice.number} : ${invoice.status.label}.`);
}
