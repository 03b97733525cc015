// Accepter une invitation (#/invitation?jeton=…): what the invitation offers (structure, role,
// services, who invites), then either the account made from it (name and password, judged live
// as at sign-up; the link proves the address, so no e-mail to wait for) and the person signed
// in, or — signed in with the invited address — joining with one button. The API's refusals
// (link expired, cancelled, already used, another account) are said in its own French words.
import { anonymous, change, get, login, signedIn } from "../api.js";
import { h } from "../dom.js";
import { explain, field, liveVerdict, passwordField, sendingForm } from "../forms.js";
import { day } from "../format.js";
import { heading } from "./common.js";
import { PASSWORD_HINT } from "./inscription.js";

const TITLE = "Rejoindre une structure";

function refusal(text) {
  return h("div", { class: "card" },
    h("p", { class: "error", role: "alert" }, text),
    h("p", {}, h("a", { href: signedIn() ? "#/synthese" : "#/connexion" }, signedIn() ? "Aller à la synthèse" : "Se connecter")));
}

function offer(invitation) {
  const services = invitation.services.length
    ? `Accès aux factures des services : ${invitation.services.map((s) => s.name).join(", ")}.`
    : "Accès à toutes les factures de la structure.";
  return h("div", { class: "card" },
    h("p", {}, invitation.invited_by ? `${invitation.invited_by} vous invite` : "Vous êtes invité",
      " à rejoindre ", h("strong", {}, invitation.structure.name), ` en tant que ${invitation.role_label}.`),
    h("p", {}, services),
    h("p", { class: "muted" }, `Invitation adressée à ${invitation.email}, valable jusqu'au ${day(invitation.expires_at)}.`));
}

export async function render(ctx) {
  const token = ctx.params.get("jeton") || "";
  const title = heading(TITLE);
  if (!token) return ctx.mount(title, refusal("Ce lien d'invitation est incomplet : ouvrez-le tel qu'il figure dans l'e-mail reçu."));
  let invitation;
  try {
    invitation = await anonymous("POST", "/invitations/preview", { token });
  } catch (error) {
    return ctx.mount(title, refusal(explain(error, "Hors ligne : l'invitation ne peut être lue sans le réseau. Réessayez quand il revient.")));
  }
  const open = (structureId) => ctx.go(`#/factures?structure_id=${structureId}`);
  if (signedIn()) return ctx.mount(title, offer(invitation), await joinPart(ctx, invitation, token, open));
  if (invitation.account_exists) {
    const back = encodeURIComponent(location.hash);
    return ctx.mount(title, offer(invitation),
      h("p", {}, `Un compte Relais existe déjà pour ${invitation.email} : connectez-vous pour accepter l'invitation.`),
      h("p", {}, h("a", { class: "primary", href: `#/connexion?suite=${back}` }, "Se connecter")));
  }
  ctx.mount(title, offer(invitation),
    h("h2", {}, "Créer votre compte"),
    h("p", { class: "muted" }, `Votre adresse de connexion sera ${invitation.email}.`),
    signUpForm(invitation, token, open));
}

async function joinPart(ctx, invitation, token, open) {
  let me;
  try {
    me = (await get("/me")).data;
  } catch (error) {
    return h("p", { class: "error", role: "alert" }, explain(error));
  }
  if (me.email.toLowerCase() !== invitation.email.toLowerCase()) {
    return h("p", { class: "error", role: "alert" },
      `Cette invitation est adressée à ${invitation.email} ; vous êtes connecté avec ${me.email}. Déconnectez-vous puis ouvrez de nouveau le lien pour l'accepter.`);
  }
  const { form } = sendingForm({
    fields: [],
    label: `Rejoindre ${invitation.structure.name}`,
    submit: async () => {
      const joined = await change("POST", "/invitations/accept", { token });
      open(joined.structure.id);
    },
  });
  return form;
}

function signUpForm(invitation, token, open) {
  const name = field("Nom et prénom", { name: "full_name", autocomplete: "name", maxlength: "200" },
    { missing: "Indiquez votre nom." });
  const password = passwordField("Mot de passe", { name: "password", autocomplete: "new-password", maxlength: "1024" },
    { hint: PASSWORD_HINT, missing: "Choisissez un mot de passe." });
  name.input.required = password.input.required = true;
  liveVerdict(password, () => ({ email: invitation.email, full_name: name.input.value.trim() }));
  const { form } = sendingForm({
    fields: [name, password],
    label: "Créer mon compte et rejoindre la structure",
    submit: async (values) => {
      const joined = await anonymous("POST", "/invitations/sign-up",
        { token, full_name: values.full_name, password: values.password });
      await login(invitation.email, values.password);
      open(joined.structure.id);
    },
  });
  return form;
}
