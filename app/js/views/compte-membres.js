// Each structure's members, invitations and leaving, in its card of the Compte screen. What is
// offered follows what /me says the person's role allows there (`actions`, read from the API's
// roles table): the list for those who may see the members, changes and removal for those who
// may make them, invitations for those who may invite, leaving for every member. Whatever the
// API refuses (the last main manager above all) is said in its own French words.
import { change, get } from "../api.js";
import { announce, h, show } from "../dom.js";
import { backTo, explain, field, sendingForm } from "../forms.js";
import { day } from "../format.js";
import { problem } from "./common.js";
import { addStructurePart } from "./compte.js";

// The roles' names, as the API labels them (role_label), for the lists to choose from.
const ROLES = [
  ["main_manager", "Gestionnaire principal"],
  ["manager", "Gestionnaire"],
  ["user", "Utilisateur simple"],
];
const ALL_SERVICES = "Aucun coché : toutes les factures de la structure, quel que soit le service.";

addStructurePart({ render: (membership, me) => structurePart(membership, me) });

async function structurePart(membership, me) {
  const may = (action) => (membership.actions || []).includes(action);
  const nodes = [];
  if (may("see_members")) nodes.push(await membersBlock(membership, me, may));
  if (may("leave")) nodes.push(leaveBlock(membership));
  return nodes;
}

/** A <select> with its label, shaped as forms.js's fields: {row, input, name, setError}. */
export function roleField(id, label, value) {
  const error = h("p", { id: `${id}-erreur`, class: "field-error", hidden: true });
  const input = h("select", { id, name: "role", "aria-describedby": error.id },
    ROLES.map(([role, name]) => h("option", { value: role, selected: role === value }, name)));
  const row = h("div", { class: "field" }, h("label", { for: id }, label), input, error);
  const setError = (text) => {
    error.textContent = text || "";
    error.hidden = !text;
  };
  return { row, input, name: "role", setError };
}

/** The services to restrict someone to, as check boxes ({row, input, name, setError, ids()}). */
function servicesField(id, services, chosen) {
  const boxes = services.map((service) => {
    const box = h("input", { type: "checkbox", id: `${id}-${service.id}`, value: String(service.id),
      checked: chosen.includes(service.id) });
    return { box, row: h("div", { class: "check" }, box, h("label", { for: box.id }, `${service.name} (${service.code})`)) };
  });
  const row = services.length
    ? h("fieldset", { class: "services", "aria-describedby": `${id}-aide` },
      h("legend", {}, "Services"),
      h("p", { id: `${id}-aide`, class: "hint" }, ALL_SERVICES),
      boxes.map((b) => b.row))
    : h("p", { class: "hint" }, "La structure n'a pas encore de factures : pas de service auquel restreindre l'accès.");
  return {
    row,
    input: { required: false, value: "" }, // read through ids()
    name: "services",
    setError: () => {},
    ids: () => boxes.filter((b) => b.box.checked).map((b) => Number(b.box.value)),
  };
}

function servicesText(services) {
  return services && services.length
    ? `Services : ${services.map((s) => s.name).join(", ")}`
    : "Tous les services";
}

/** A button that asks first: the question, « yes » and « Annuler »; `run` may throw an
 * ApiError, whose French detail is shown. */
function confirming({ id, label, hiddenLabel, question, yes, run }) {
  const ask = h("button", { type: "button", class: "secondary" }, label,
    hiddenLabel ? h("span", { class: "visually-hidden" }, ` ${hiddenLabel}`) : null);
  const confirm = h("button", { type: "button", class: "danger", "aria-describedby": id }, yes);
  const keep = h("button", { type: "button", class: "secondary" }, "Annuler");
  const message = h("p", { class: "error", role: "alert", hidden: true });
  const box = h("div", { class: "confirm", hidden: true },
    h("p", { id }, question), h("p", { class: "actions" }, confirm, " ", keep));
  ask.addEventListener("click", () => {
    box.hidden = false;
    ask.hidden = true;
    message.hidden = true;
    confirm.focus();
  });
  keep.addEventListener("click", () => {
    box.hidden = true;
    ask.hidden = false;
    ask.focus();
  });
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    try {
      await run();
    } catch (error) {
      message.textContent = explain(error);
      message.hidden = false;
      confirm.disabled = false;
      box.hidden = true;
      ask.hidden = false;
      ask.focus();
    }
  });
  return h("div", {}, h("p", {}, ask), box, message);
}

/** The members (and, for those who may invite, the invitations and the way to invite). */
async function membersBlock(membership, me, may) {
  const sid = membership.id;
  const titleId = `membres-${sid}`;
  const list = h("div", {});
  const pending = h("div", {});
  let services = [];
  if (may("change_members") || may("invite")) {
    try {
      services = (await get(`/structures/${sid}/services`)).data.items;
    } catch {
      services = []; // offered without services; the API says why if it matters
    }
  }
  const refresh = async () => {
    await Promise.all([
      showMembers(list, membership, me, may, services, refresh),
      may("invite") ? showInvitations(pending, membership, refresh) : null,
    ]);
  };
  await refresh();
  return h("div", { class: "members" },
    h("h4", { id: titleId, tabindex: "-1" }, "Membres"),
    list,
    may("invite") ? [
      h("h4", { id: `invitations-${sid}`, tabindex: "-1" }, "Invitations en attente"),
      pending,
      inviteForm(membership, services, refresh),
    ] : null);
}

async function showMembers(box, membership, me, may, services, refresh) {
  let members;
  try {
    members = (await get(`/structures/${membership.id}/members`)).data.items;
  } catch (error) {
    return show(box, problem(error));
  }
  show(box, h("ul", { class: "people" }, members.map((member) =>
    memberLine(member, membership, me, may, services, refresh))));
}

function memberLine(member, membership, me, may, services, refresh) {
  const self = member.user_id === me.id;
  const prefix = `s${membership.id}-m${member.user_id}`;
  return h("li", { class: "person" },
    h("p", {}, h("strong", {}, member.full_name), self ? " (vous)" : null),
    h("p", { class: "muted" }, member.email),
    h("p", {}, `${member.role_label} · ${servicesText(member.services)}`),
    may("change_members") ? editMember(prefix, member, membership, me, services, refresh) : null,
    may("remove_members") && !self ? removeMember(prefix, member, membership, refresh) : null);
}

function editMember(prefix, member, membership, me, services, refresh) {
  const role = roleField(`${prefix}-role`, "Rôle", member.role);
  const chosen = servicesField(`${prefix}-services`, services, member.services.map((s) => s.id));
  const { form } = sendingForm({
    fields: [role, chosen],
    label: "Enregistrer",
    className: "stack",
    submit: async () => {
      const body = { role: role.input.value };
      if (services.length) body.service_ids = chosen.ids();
      await change("PATCH", `/structures/${membership.id}/members/${member.user_id}`, body);
      if (member.user_id === me.id) {
        // One's own role changed: what the screen offers changes too; it is drawn anew.
        announce("Votre rôle et vos services sont enregistrés.");
        window.dispatchEvent(new HashChangeEvent("hashchange"));
        return;
      }
      await refresh();
      announce(`${member.full_name} : rôle et services enregistrés.`);
      backTo(`membres-${membership.id}`);
    },
  });
  return h("details", {},
    h("summary", {}, "Modifier le rôle ou les services", h("span", { class: "visually-hidden" }, ` de ${member.full_name}`)),
    form);
}

function removeMember(prefix, member, membership, refresh) {
  return confirming({
    id: `${prefix}-retirer`,
    label: "Retirer",
    hiddenLabel: `${member.full_name} de la structure`,
    question: `Retirer ${member.full_name} de ${membership.name} ? Cette personne ne verra plus les factures de la structure ; elle en est prévenue par e-mail.`,
    yes: "Oui, retirer",
    run: async () => {
      await change("DELETE", `/structures/${membership.id}/members/${member.user_id}`);
      await refresh();
      announce(`${member.full_name} est retiré de ${membership.name}.`);
      backTo(`membres-${membership.id}`);
    },
  });
}

async function showInvitations(box, membership, refresh) {
  let invitations;
  try {
    invitations = (await get(`/structures/${membership.id}/invitations`)).data.items;
  } catch (error) {
    return show(box, problem(error));
  }
  if (!invitations.length) return show(box, h("p", { class: "muted" }, "Aucune invitation en attente."));
  show(box, h("ul", { class: "people" }, invitations.map((invitation) => {
    const revoke = h("button", { type: "button", class: "secondary" }, "Annuler l'invitation",
      h("span", { class: "visually-hidden" }, ` de ${invitation.email}`));
    const said = h("p", { class: "error", role: "alert", hidden: true });
    revoke.addEventListener("click", async () => {
      revoke.disabled = true;
      try {
        await change("DELETE", `/structures/${membership.id}/invitations/${invitation.id}`);
      } catch (error) {
        said.textContent = explain(error);
        said.hidden = false;
        revoke.disabled = false;
        return;
      }
      await refresh();
      announce(`Invitation de ${invitation.email} annulée : son lien ne fonctionne plus.`);
      backTo(`invitations-${membership.id}`);
    });
    return h("li", { class: "person" },
      h("p", {}, h("strong", {}, invitation.email)),
      h("p", {}, `${invitation.role_label} · ${servicesText(invitation.services)}`),
      h("p", { class: "muted" }, `Envoyée ${invitation.invited_by ? `par ${invitation.invited_by} ` : ""}le ${day(invitation.created_at)} · lien valable jusqu'au ${day(invitation.expires_at)}`),
      h("p", {}, revoke), said);
  })));
}

function inviteForm(membership, services, refresh) {
  const prefix = `inviter-${membership.id}`;
  const email = field("Adresse e-mail de la personne", { name: "email", type: "email", autocomplete: "off", maxlength: "254", id: `${prefix}-email` },
    { missing: "Indiquez l'adresse e-mail de la personne à inviter." });
  email.input.required = true;
  const role = roleField(`${prefix}-role`, "Rôle", "user");
  const chosen = servicesField(`${prefix}-services`, services, []);
  const done = h("p", { role: "status" });
  const { form } = sendingForm({
    fields: [email, role, chosen],
    label: "Envoyer l'invitation",
    className: "stack",
    submit: async (values) => {
      done.textContent = "";
      const sent = await change("POST", `/structures/${membership.id}/invitations`,
        { email: values.email, role: role.input.value, service_ids: chosen.ids() });
      form.reset();
      await refresh();
      done.textContent = `Invitation envoyée à ${sent.email} : le lien reçu par e-mail est valable jusqu'au ${day(sent.expires_at)}.`;
    },
  });
  return h("details", {},
    h("summary", {}, "Inviter une personne"),
    h("p", {}, "La personne reçoit un e-mail avec un lien pour rejoindre la structure, avec ou sans compte Relais."),
    form, done);
}

/** Leave: the consequences said before the button that does it (erasure, for the last member). */
function leaveBlock(membership) {
  const id = `quitter-${membership.id}`;
  const consequence = membership.sole_member
    ? `Vous êtes son seul membre : en la quittant, ${membership.name} est effacée de Relais avec ses données (compte technique, factures et leur historique). C'est définitif.`
    : `Vous ne verrez plus les factures de ${membership.name}. Pour y revenir, il faudra qu'un gestionnaire principal vous invite.`;
  const button = h("button", { type: "button", class: "danger", "aria-describedby": id },
    membership.sole_member ? "Quitter et effacer la structure" : "Oui, quitter la structure");
  const message = h("p", { class: "error", role: "alert", hidden: true });
  button.addEventListener("click", async () => {
    button.disabled = true;
    message.hidden = true;
    let left;
    try {
      left = await change("POST", `/structures/${membership.id}/leave`);
    } catch (error) {
      message.textContent = explain(error);
      message.hidden = false;
      button.disabled = false;
      return;
    }
    const card = button.closest("li");
    const title = card.querySelector("h3");
    show(card, title, h("p", { role: "status" }, left.message));
    title.focus();
  });
  return h("details", { class: "leave" },
    h("summary", {}, "Quitter la structure"),
    h("p", { id }, consequence),
    h("p", {}, button), message);
}
