// Factures: the list with the API's filters, the next pages on its cursors as you scroll,
// and a refresh (button, or pulling the list down on a touch screen).
import { Offline, get, query } from "../api.js";
import { announce, h } from "../dom.js";
import { day, plural } from "../format.js";
import { heading, invoiceLine, problem, staleNotice } from "./common.js";

const PAGE = 20;
// Filters the screen shows as fields; the others (from the Synthèse or the Tableau de bord)
// are kept and said in words.
const FIELDS = ["status", "structure_id", "payment", "q"];
const KEPT = ["changed_from", "changed_to", "due_within", "category"];

function filtersOf(params) {
  const filters = {};
  for (const key of [...FIELDS, ...KEPT]) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  return filters;
}

function keptInWords(filters, categories) {
  const words = [];
  if (filters.changed_from || filters.changed_to) {
    words.push(`statut changé ${filters.changed_from ? `du ${day(filters.changed_from)} ` : ""}${filters.changed_to ? `au ${day(filters.changed_to)}` : ""}`.trim());
  }
  if (filters.due_within) words.push(`paiement attendu d'ici ${plural(Number(filters.due_within), "jour", "jours")}`);
  if (filters.category) {
    const found = categories.find((c) => c.category === filters.category);
    words.push(`catégorie « ${found ? found.label : filters.category} »`);
  }
  return words;
}

function select(id, label, options, value) {
  return h("div", { class: "field" }, h("label", { for: id }, label),
    h("select", { id, name: id }, options.map(([v, text]) => h("option", { value: v, selected: v === value }, text))));
}

function filterForm(ctx, filters, me, statuses) {
  const structures = [["", "Toutes les structures"], ...me.structures.map((s) => [String(s.id), s.name])];
  const known = statuses.map((s) => [s.code, s.label]);
  if (filters.status && !known.some(([code]) => code === filters.status)) known.push([filters.status, filters.status]);
  const form = h("form", { class: "card filters", role: "search", "aria-label": "Filtrer les factures" },
    h("div", { class: "field" }, h("label", { for: "q" }, "Numéro ou destinataire"),
      h("input", { id: "q", name: "q", type: "search", value: filters.q || "", maxlength: 100 })),
    select("status", "Statut", [["", "Tous les statuts"], ...known], filters.status || ""),
    select("structure_id", "Structure", structures, filters.structure_id || ""),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "payment", value: "late", checked: filters.payment === "late" }),
      "En retard de paiement"),
    h("div", {}, h("button", { class: "primary", type: "submit" }, "Filtrer")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = {};
    for (const key of KEPT) if (filters[key]) next[key] = filters[key];
    for (const [key, value] of new FormData(form)) if (value) next[key] = value;
    ctx.go(`#/factures${query(next)}`);
  });
  return form;
}

/** Pull the list down from the top of the page (touch screens) to refresh it. */
function pullToRefresh(area, hint, refresh) {
  let start = null;
  area.addEventListener("touchstart", (e) => { start = window.scrollY === 0 ? e.touches[0].clientY : null; }, { passive: true });
  area.addEventListener("touchmove", (e) => {
    if (start === null) return;
    hint.classList.toggle("shown", e.touches[0].clientY - start > 70);
  }, { passive: true });
  area.addEventListener("touchend", () => {
    if (hint.classList.contains("shown")) refresh();
    hint.classList.remove("shown");
    start = null;
  });
}

export async function render(ctx) {
  const title = heading("Factures");
  const filters = filtersOf(ctx.params);
  let me, dashboard, first;
  try {
    [me, dashboard, first] = await Promise.all([get("/me"), get("/dashboard"),
      get(`/invoices${query({ ...filters, limit: PAGE })}`)]);
  } catch (error) {
    return ctx.mount(title, problem(error));
  }
  const list = h("ul", { class: "invoices", "aria-label": "Factures" });
  const total = h("p", { class: "muted", role: "status" },
    `${plural(first.data.total, "facture", "factures")}${first.data.total ? "" : " : aucune ne correspond à ces filtres"}`);
  const footer = h("div", { class: "list-footer" });
  const notice = h("div", {}, staleNotice(first));
  let cursor = first.data.next_cursor;
  let loading = false;
  const more = h("button", { class: "secondary", type: "button" }, "Afficher les factures suivantes");

  function showPage(page) {
    list.append(...page.items.map(invoiceLine));
    cursor = page.next_cursor;
    footer.replaceChildren(cursor ? more : h("span", {}, list.children.length ? "Fin de la liste." : ""));
  }

  async function loadMore() {
    if (!cursor || loading) return;
    loading = true;
    more.disabled = true;
    try {
      const page = await get(`/invoices${query({ ...filters, limit: PAGE, cursor })}`);
      if (page.offline) notice.replaceChildren(staleNotice(page));
      showPage(page.data);
      announce(`${list.children.length} factures affichées sur ${first.data.total}.`);
    } catch (error) {
      footer.replaceChildren(error instanceof Offline
        ? h("p", { class: "error", role: "alert" }, "Hors ligne : la suite de la liste demande le réseau.")
        : problem(error), more);
    } finally {
      loading = false;
      more.disabled = false;
    }
  }
  more.addEventListener("click", loadMore);
  showPage(first.data);
  // Infinite scroll: the next page comes when the end of the list nears the screen.
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) loadMore();
  }, { rootMargin: "300px" });
  observer.observe(footer);
  ctx.onLeave(() => observer.disconnect());

  const hint = h("p", { class: "pull", "aria-hidden": "true" }, "Relâchez pour actualiser");
  const refresh = h("button", { class: "secondary", type: "button", onclick: () => ctx.reload() }, "Actualiser");
  const kept = keptInWords(filters, dashboard.data.by_category);
  const area = h("div", {}, hint, list, footer);
  pullToRefresh(area, hint, () => ctx.reload());
  ctx.mount(title, notice,
    filterForm(ctx, filters, me.data, dashboard.data.by_status),
    kept.length ? h("p", {}, `Aussi filtré : ${kept.join(", ")}. `, h("a", { href: "#/factures" }, "Retirer tous les filtres")) : null,
    h("div", { class: "toolbar" }, total, refresh),
    area);
}
