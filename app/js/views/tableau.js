// Tableau de bord: counts and amounts per status and per structure over a period, a chart,
// and each status opening the list of those invoices.
import { get, query } from "../api.js";
import { h } from "../dom.js";
import { barChart } from "../chart.js";
import { day, euros, number, plural, todayInParis } from "../format.js";
import { heading, problem, staleNotice } from "./common.js";

function periodForm(ctx, args, me) {
  const input = (id, label, value) => h("div", { class: "field" }, h("label", { for: id }, label),
    h("input", { id, name: id, type: "date", value: value || "", max: todayInParis() }));
  const structures = [["", "Toutes les structures"], ...me.structures.map((s) => [String(s.id), s.name])];
  const form = h("form", { class: "card filters", "aria-label": "Période et structure" },
    input("changed_from", "Statut changé du", args.changed_from),
    input("changed_to", "au", args.changed_to),
    h("div", { class: "field" }, h("label", { for: "structure_id" }, "Structure"),
      h("select", { id: "structure_id", name: "structure_id" },
        structures.map(([v, text]) => h("option", { value: v, selected: v === (args.structure_id || "") }, text)))),
    h("div", {}, h("button", { class: "primary", type: "submit" }, "Afficher")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.go(`#/tableau-de-bord${query(Object.fromEntries(new FormData(form)))}`);
  });
  return form;
}

function period(args) {
  if (args.changed_from && args.changed_to) return `statuts changés du ${day(args.changed_from)} au ${day(args.changed_to)}`;
  if (args.changed_from) return `statuts changés depuis le ${day(args.changed_from)}`;
  if (args.changed_to) return `statuts changés jusqu'au ${day(args.changed_to)}`;
  return "toutes les factures";
}

export async function render(ctx) {
  const title = heading("Tableau de bord");
  const args = {};
  for (const key of ["changed_from", "changed_to", "structure_id"]) if (ctx.params.get(key)) args[key] = ctx.params.get(key);
  let me, result;
  try {
    [me, result] = await Promise.all([get("/me"), get(`/dashboard${query(args)}`)]);
  } catch (error) {
    return ctx.mount(title, problem(error));
  }
  const data = result.data;
  const listOf = (extra) => `#/factures${query({ ...args, ...extra })}`;
  const figure = (label, totals, link) => h("div", { class: "card" }, h("p", { class: "muted" }, label),
    h("p", { class: "figure" }, link ? h("a", { href: link }, plural(totals.count, "facture", "factures")) : plural(totals.count, "facture", "factures")),
    h("p", {}, euros(totals.amount_incl_tax ?? totals.total)));
  const structureName = args.structure_id ? (me.data.structures.find((s) => String(s.id) === args.structure_id) || {}).name : null;
  ctx.mount(title, staleNotice(me, result),
    periodForm(ctx, args, me.data),
    h("p", { class: "muted" }, `Période : ${period(args)}${structureName ? ` — ${structureName}` : ""}.`),
    h("div", { class: "grid" },
      figure("Total", data.totals, null),
      figure("En retard de paiement", data.overdue, listOf({ payment: "late" })),
      figure("Paiements attendus d'ici 7 jours", data.due_this_week, listOf({ due_within: 7 })),
      h("div", { class: "card" }, h("p", { class: "muted" }, "Intérêts et indemnités dus"),
        h("p", { class: "figure" }, euros(data.interest_owed.total)),
        h("p", {}, plural(data.interest_owed.count, "facture", "factures")))),
    h("section", { class: "card", "aria-labelledby": "par-statut" },
      h("h2", { id: "par-statut" }, "Par statut"),
      data.by_status.length ? [
        barChart(data.by_status, `Graphique : nombre de factures par statut, ${data.by_status.slice(0, 3).map((s) => `${s.label} ${number(s.count)}`).join(", ")}… Le tableau qui suit donne tous les chiffres.`),
        h("div", { class: "table-wrap" }, h("table", { class: "counts" },
          h("caption", { class: "visually-hidden" }, "Factures par statut : nombre et montant TTC"),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Statut"), h("th", { scope: "col", class: "num" }, "Factures"), h("th", { scope: "col", class: "num" }, "Montant"))),
          h("tbody", {}, data.by_status.map((s) => h("tr", {},
            h("th", { scope: "row" }, h("a", { href: listOf({ status: s.code }) }, s.label)),
            h("td", { class: "num" }, number(s.count)),
            h("td", { class: "num" }, euros(s.amount_incl_tax))))))),
      ] : h("p", {}, "Aucune facture sur cette période.")),
    h("section", { class: "card", "aria-labelledby": "par-structure" },
      h("h2", { id: "par-structure" }, "Par structure"),
      h("ul", { class: "structures" }, data.by_structure.map((s) => h("li", {},
        h("h3", {}, s.name),
        h("p", {}, h("strong", {}, plural(s.count, "facture", "factures")), ` — ${euros(s.amount_incl_tax)}`),
        h("ul", {}, s.by_category.filter((c) => c.count).map((c) => h("li", {},
          h("a", { href: `#/factures${query({ ...args, structure_id: s.structure_id, category: c.category })}` },
            `${c.label} : ${plural(c.count, "facture", "factures")}`), ` (${euros(c.amount_incl_tax)})`))))))));

}
