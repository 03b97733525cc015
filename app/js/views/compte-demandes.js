// The join requests waiting for an answer, in the card of each structure whose role allows
// answering them (/me's `actions`): who asks (name, e-mail, date), « Accepter » with the role
// chosen, « Refuser ». Whatever the API refuses (a request answered meanwhile) is said in its
// own French words.
import { change, get } from "../api.js";
import { announce, h, show } from "../dom.js";
import { backTo, explain, panel } from "../forms.js";
import { day } from "../format.js";
import { problem } from "./common.js";
import { addAccountSection, addStructurePart } from "./compte.js";
import { roleField } from "./compte-membres.js";

addStructurePart({ render: (membership) => requestsPart(membership) });
// The person's own requests, « En attente », just after « Mes structures » (50); none, nothing.
addAccountSection({ order: 55, render: () => myRequests() });

async function myRequests() {
  let requests;
  try {
    requests = (await get("/me/join-requests")).data.items;
  } catch (error) {
    return panel("mes-demandes", "Mes demandes d'accès", problem(error));
  }
  if (!requests.length) return null;
  return panel("mes-demandes", "Mes demandes d'accès",
    h("p", { class: "muted" }, "Ses gestionnaires principaux décident ; vous êtes prévenu de leur réponse par e-mail et dans vos notifications."),
    h("ul", { class: "people" }, requests.map((request) => h("li", { class: "person" },
      h("p", {}, h("strong", {}, request.structure.name)),
      h("p", {}, `En attente · demandée le ${day(request.created_at)}`)))));
}

async function requestsPart(membership) {
  if (!(membership.actions || []).includes("answer_join_requests")) return [];
  const box = h("div", {});
  const refresh = () => showRequests(box, membership, refresh);
  await refresh();
  return h("div", { class: "members" },
    h("h4", { id: `demandes-${membership.id}`, tabindex: "-1" }, "Demandes d'accès"),
    box);
}

async function showRequests(box, membership, refresh) {
  let requests;
  try {
    requests = (await get(`/structures/${membership.id}/join-requests`)).data.items;
  } catch (error) {
    return show(box, problem(error));
  }
  if (!requests.length) return show(box, h("p", { class: "muted" }, "Aucune demande d'accès en attente."));
  show(box, h("ul", { class: "people" }, requests.map((request) => requestLine(request, membership, refresh))));
}

function requestLine(request, membership, refresh) {
  const who = request.requester;
  const prefix = `s${membership.id}-d${request.id}`;
  const role = roleField(`${prefix}-role`, "Rôle", "user");
  const said = h("p", { class: "error", role: "alert", hidden: true });
  const accept = h("button", { type: "button", class: "primary" }, "Accepter",
    h("span", { class: "visually-hidden" }, ` la demande de ${who.full_name}`));
  const refuse = h("button", { type: "button", class: "secondary" }, "Refuser",
    h("span", { class: "visually-hidden" }, ` la demande de ${who.full_name}`));
  const answer = async (path, body, done) => {
    accept.disabled = refuse.disabled = true;
    said.hidden = true;
    try {
      await change("POST", `/structures/${membership.id}/join-requests/${request.id}/${path}`, body);
    } catch (error) {
      said.textContent = explain(error);
      said.hidden = false;
      accept.disabled = refuse.disabled = false;
      return;
    }
    await refresh();
    announce(done);
    backTo(`demandes-${membership.id}`);
  };
  accept.addEventListener("click", () => {
    const label = role.input.selectedOptions[0].textContent;
    answer("approve", { role: role.input.value },
      `${who.full_name} a désormais accès à ${membership.name} (${label}) ; la personne en est prévenue par e-mail.`);
  });
  refuse.addEventListener("click", () => answer("refuse", undefined,
    `Demande de ${who.full_name} refusée ; la personne en est prévenue par e-mail.`));
  return h("li", { class: "person" },
    h("p", {}, h("strong", {}, who.full_name)),
    h("p", { class: "muted" }, who.email),
    h("p", {}, `Demande du ${day(request.created_at)}`),
    role.row,
    h("p", { class: "actions" }, accept, " ", refuse),
    said);
}
