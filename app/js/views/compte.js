// Compte: the profile and its e-mail address, the password, two-factor authentication, the
// login sessions, and the person's structures as their roles allow.
import { change, get } from "../api.js";
import { h } from "../dom.js";
import { field, liveVerdict, panel, passwordField, sendingForm } from "../forms.js";
import { heading, problem, staleNotice } from "./common.js";
import { PASSWORD_HINT } from "./inscription.js";
import { sessionsSection } from "./compte-sessions.js";
import { structuresSection } from "./compte-structures.js";
import { twoFactorSection } from "./compte-2fa.js";

// HOOKS for the account's parts built on other branches — members and invitations
// (issue18-members: per structure, for its main managers) and the export and deletion of the
// account (issue18-gdpr: a section of its own). Their module registers here and is imported
// once by main.js; nothing shows for a hook that nobody filled.
const sections = []; // {order, render(me) → a <section> (or a promise of one)}
const structureParts = []; // {render(membership, me) → nodes shown in the structure's card}

/** Add a section to the Compte screen, placed by `order` (the built-in ones use 10 to 50). */
export function addAccountSection(section) {
  sections.push(section);
}

/** Add a part to each structure's card (e.g. its members, for its main managers). */
export function addStructurePart(part) {
  structureParts.push(part);
}

function profile(me) {
  const password = passwordField("Mot de passe actuel", { name: "password", autocomplete: "current-password" },
    { missing: "Indiquez votre mot de passe actuel." });
  const email = field("Nouvelle adresse e-mail", { name: "new_email", type: "email", autocomplete: "email", maxlength: "254" },
    { missing: "Indiquez la nouvelle adresse." });
  password.input.required = email.input.required = true;
  const done = h("p", { role: "status" });
  const { form } = sendingForm({
    fields: [email, password],
    label: "Changer d'adresse",
    className: "stack",
    submit: async (values) => {
      const answer = await change("POST", "/me/email", { new_email: values.new_email, password: values.password });
      form.reset();
      done.textContent = answer.message;
    },
  });
  const shownName = h("dd", {}, me.full_name);
  const name = field("Nom et prénom", { name: "full_name", autocomplete: "name", maxlength: "200" },
    { missing: "Indiquez votre nom." });
  name.input.required = true;
  name.input.value = me.full_name;
  const { form: nameForm } = sendingForm({
    fields: [name],
    label: "Enregistrer mon nom",
    className: "stack",
    submit: async (values) => {
      const saved = await change("PATCH", "/me", { full_name: values.full_name });
      shownName.textContent = name.input.value = saved.full_name;
      done.textContent = "Nom enregistré : il figure désormais dans vos e-mails et pour les membres de vos structures.";
    },
  });
  return panel("profil", "Profil",
    h("dl", { class: "facts" },
      h("dt", {}, "Nom"), shownName,
      h("dt", {}, "Adresse e-mail"), h("dd", {}, me.email)),
    h("details", {}, h("summary", {}, "Corriger mon nom"), nameForm),
    h("details", {}, h("summary", {}, "Changer d'adresse e-mail"),
      h("p", {}, "Un lien de confirmation est envoyé à la nouvelle adresse ; d'ici là, votre adresse reste la même."),
      form),
    done);
}

function passwordPart(me, reload) {
  const current = passwordField("Mot de passe actuel", { name: "current_password", autocomplete: "current-password" },
    { missing: "Indiquez votre mot de passe actuel." });
  const next = passwordField("Nouveau mot de passe", { name: "new_password", autocomplete: "new-password", maxlength: "1024" },
    { hint: PASSWORD_HINT, missing: "Choisissez un nouveau mot de passe." });
  current.input.required = next.input.required = true;
  liveVerdict(next, () => ({ email: me.email, full_name: me.full_name }));
  const done = h("p", { role: "status" });
  const { form } = sendingForm({
    fields: [current, next],
    label: "Enregistrer le nouveau mot de passe",
    className: "stack",
    submit: async (values) => {
      await change("PUT", "/me/password", values);
      form.reset();
      next.input.dispatchEvent(new Event("input")); // the verdict of an emptied field goes too
      done.textContent = "Mot de passe changé. Vos autres sessions sont fermées ; celle-ci reste ouverte.";
      reload.sessions();
    },
  });
  return panel("mot-de-passe-compte", "Mot de passe",
    h("details", {}, h("summary", {}, "Changer de mot de passe"), form), done);
}

export async function render(ctx) {
  const title = heading("Compte");
  let me;
  try {
    me = await get("/me");
  } catch (error) {
    return ctx.mount(title, problem(error));
  }
  const sessions = await sessionsSection(ctx);
  const reload = { sessions: () => sessions.refresh() };
  const built = [
    { order: 10, node: profile(me.data) },
    { order: 20, node: passwordPart(me.data, reload) },
    { order: 30, node: await twoFactorSection() },
    { order: 40, node: sessions.node },
    { order: 50, node: await structuresSection(me.data, structureParts) },
  ];
  for (const extra of sections) built.push({ order: extra.order, node: await extra.render(me.data) });
  built.sort((a, b) => a.order - b.order);
  ctx.mount(title, staleNotice(me), built.map((b) => b.node));
}
