// La Synthèse: what needs the supplier, and what comes next and by when, structure by structure.
import { get, query } from "../api.js";
import { h } from "../dom.js";
import { day, euros, inDays, plural } from "../format.js";
import { badge, heading, problem, staleNotice } from "./common.js";

function listLink(params, text) {
  return h("a", { href: `#/factures${query(params)}` }, text);
}

function acknowledgement(item) {
  const when = item.mandatory
    ? `Acquittement obligatoire sur le portail depuis le ${day(item.mandatory_from)}`
    : `Acquittement obligatoire sur le portail à partir du ${day(item.mandatory_from)} (${inDays(item.days_until_mandatory)})`;
  return h("li", {},
    h("a", { class: "invoice-link", href: `#/factures/${item.invoice_id}` },
      h("span", { class: "number" }, `Facture ${item.number}`),
      h("span", { class: "when" }, badge(item.status)),
      h("span", { class: "who" }, item.recipient_name),
      h("span", { class: "when" }, `le ${day(item.changed_at)}`),
      item.comment ? h("span", { class: "next" }, `Motif : ${item.comment}`) : null,
      h("span", { class: "next" }, h("strong", {}, when))));
}

function structureSection(membership, summary) {
  const id = membership.id;
  const todo = summary.todo.filter((t) => t.count > 0);
  const coming = [];
  if (summary.overdue.count) {
    coming.push(h("li", {}, listLink({ structure_id: id, payment: "late" },
      `${plural(summary.overdue.count, "facture impayée", "factures impayées")} après la date limite : ${euros(summary.overdue.amount_incl_tax)}`)));
  }
  if (summary.interest_owed.count) {
    coming.push(h("li", {}, `Intérêts moratoires et indemnités dus : ${euros(summary.interest_owed.total)} `,
      `(${plural(summary.interest_owed.count, "facture", "factures")})`));
  }
  if (summary.due_this_week.count) {
    coming.push(h("li", {}, listLink({ structure_id: id, due_within: 7 },
      `${plural(summary.due_this_week.count, "paiement attendu", "paiements attendus")} d'ici 7 jours : ${euros(summary.due_this_week.amount_incl_tax)}`)));
  }
  const titleId = `structure-${id}`;
  return h("section", { class: "card", "aria-labelledby": titleId },
    h("h2", { id: titleId }, membership.name),
    h("p", { class: "muted" }, `SIRET ${membership.siret} · ${membership.role_label}`),
    h("p", { class: "figure" }, summary.action_required.count
      ? `${plural(summary.action_required.count, "facture demande", "factures demandent")} une action`
      : "Aucune facture ne demande d'action"),
    todo.length ? h("ul", {}, todo.map((t) => h("li", {},
      listLink({ structure_id: id, status: t.code }, `${t.label} : ${plural(t.count, "facture", "factures")} (${euros(t.amount_incl_tax)})`)))) : null,
    h("h3", {}, "À venir"),
    coming.length ? h("ul", {}, coming) : h("p", { class: "muted" }, "Aucune échéance de paiement dans les 7 jours."),
    acknowledgements(summary.to_acknowledge));
}

// The most urgent first (the oldest change); the others one tap away, so a phone's screen
// is not a list of fifty.
const FIRST = 5;

function acknowledgements(items) {
  if (!items.length) return null;
  const rest = items.slice(FIRST);
  return [
    h("h3", {}, `À acquitter sur le portail (${items.length})`),
    h("ul", { class: "invoices" }, items.slice(0, FIRST).map(acknowledgement)),
    rest.length ? h("details", {}, h("summary", {}, `Afficher les ${rest.length} autres`),
      h("ul", { class: "invoices" }, rest.map(acknowledgement))) : null,
  ];
}

export async function render(ctx) {
  const title = heading("Synthèse");
  let me, summaries;
  try {
    me = await get("/me");
    summaries = await Promise.all(me.data.structures.map((s) => get(`/summary${query({ structure_id: s.id })}`)));
  } catch (error) {
    return ctx.mount(title, problem(error));
  }
  const structures = me.data.structures;
  ctx.mount(title, staleNotice(me, ...summaries),
    h("p", { class: "muted" }, "Ce qui attend une action de votre part, et les prochaines échéances, structure par structure."),
    structures.length
      ? structures.map((s, i) => structureSection(s, summaries[i].data))
      : [h("p", {}, "Aucune structure n'est rattachée à votre compte."),
        h("p", {}, h("a", { class: "primary", href: "#/structures/ajouter" }, "Ajouter une structure"))]);
}
