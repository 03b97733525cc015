// The person's structures in the Compte screen, as their role allows: everyone sees the role;
// managers the portal connection (technical account, its expiry, the last sync); main
// managers also update the technical account's password and disconnect the structure.
import { change, get } from "../api.js";
import { announce, h, show } from "../dom.js";
import { backTo, explain, panel, sendingForm } from "../forms.js";
import { day } from "../format.js";
import { problem } from "./common.js";
import { accountBody, accountFields, refusal } from "./structure.js";

const MANAGERS = ["main_manager", "manager"];

/** The section: one card per structure, and the way to add one. */
export async function structuresSection(me, extraParts) {
  const cards = await Promise.all(me.structures.map((m) => structureCard(m, me, extraParts)));
  return panel("structures", "Mes structures",
    cards.length ? h("ul", { class: "structures" }, cards) : h("p", {}, "Aucune structure n'est rattachée à votre compte."),
    h("p", {}, h("a", { class: "primary", href: "#/structures/ajouter" }, "Ajouter une structure")));
}

async function structureCard(membership, me, extraParts) {
  const titleId = `structure-compte-${membership.id}`;
  const connection = h("div", {});
  const card = h("li", { "aria-labelledby": titleId },
    h("h3", { id: titleId, tabindex: "-1" }, membership.name),
    h("p", { class: "muted" }, `SIRET ${membership.siret} · ${membership.role_label}`),
    connection);
  if (MANAGERS.includes(membership.role)) await showConnection(connection, membership);
  for (const extra of extraParts) card.append(...[].concat(await extra.render(membership, me)));
  return card;
}

async function showConnection(box, membership) {
  let sync;
  try {
    sync = (await get(`/structures/${membership.id}/sync`)).data;
  } catch (error) {
    return show(box, problem(error));
  }
  const account = sync.technical_account;
  const facts = h("dl", { class: "facts" },
    h("dt", {}, "Compte technique"), h("dd", {}, account ? account.login : "Aucun : la structure est déconnectée du portail."),
    account && account.password_expires_on ? [h("dt", {}, "Mot de passe valable jusqu'au"), h("dd", {}, day(account.password_expires_on))] : null,
    h("dt", {}, "Synchronisation"), h("dd", {}, sync.message));
  const warning = account && account.warning ? h("p", { class: "stale" }, account.warning) : null;
  const mainManager = membership.role === "main_manager";
  show(box, facts, warning,
    mainManager ? update(box, membership, account) : null,
    mainManager && account ? disconnect(box, membership) : null);
}

/** Update (or, once disconnected, enter again) the technical account: proven by the portal. */
function update(box, membership, account) {
  const fields = accountFields(`compte-${membership.id}`, account ? account.login : "");
  const { form } = sendingForm({
    fields,
    label: "Vérifier et enregistrer",
    className: "stack",
    refuse: refusal,
    submit: async (values) => {
      const answer = await change("PUT", `/structures/${membership.id}/connection`, accountBody(values));
      await showConnection(box, membership);
      announce(answer.message);
      backTo(`structure-compte-${membership.id}`);
    },
  });
  const title = account ? "Mettre à jour le mot de passe du compte technique" : "Reconnecter la structure au portail";
  return h("details", {}, h("summary", {}, title),
    h("p", {}, "Renouvelez d'abord le mot de passe sur Chorus Pro : Relais le vérifie auprès du portail avant de l'enregistrer."),
    form);
}

/** Disconnect: asked twice, since the sync stops and the credentials are erased. */
function disconnect(box, membership) {
  const ask = h("button", { type: "button", class: "secondary" }, "Déconnecter la structure");
  const confirm = h("button", { type: "button", class: "danger" }, "Oui, déconnecter");
  const keep = h("button", { type: "button", class: "secondary" }, "Annuler");
  const message = h("p", { class: "error", role: "alert", hidden: true });
  const question = h("div", { class: "confirm", hidden: true },
    h("p", { id: `deconnecter-${membership.id}` }, `Déconnecter ${membership.name} ? Le compte technique est effacé de Relais et la synchronisation s'arrête ; les factures déjà reprises restent consultables.`),
    h("p", { class: "actions" }, confirm, " ", keep));
  confirm.setAttribute("aria-describedby", `deconnecter-${membership.id}`);
  ask.addEventListener("click", () => {
    question.hidden = false;
    ask.hidden = true;
    confirm.focus();
  });
  keep.addEventListener("click", () => {
    question.hidden = true;
    ask.hidden = false;
    ask.focus();
  });
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    try {
      await change("DELETE", `/structures/${membership.id}/connection`);
    } catch (error) {
      message.textContent = explain(error);
      message.hidden = false;
      confirm.disabled = false;
      return;
    }
    await showConnection(box, membership);
    announce(`${membership.name} est déconnectée du portail.`);
    backTo(`structure-compte-${membership.id}`);
  });
  return h("div", {}, h("p", {}, ask), question, message);
}
