// Mot de passe oublié: the e-mail, then the same answer whatever the address (the API never
// says whether it has an account). The e-mailed link opens the site's page
// /compte/mot-de-passe/, where the new password is chosen.
import { anonymous } from "../api.js";
import { h } from "../dom.js";
import { field, sendingForm } from "../forms.js";
import { heading } from "./common.js";

export async function render(ctx) {
  const email = field("Adresse e-mail", { name: "email", type: "email", autocomplete: "email", maxlength: "254" },
    { missing: "Indiquez l'adresse e-mail de votre compte." });
  email.input.required = true;
  const title = heading("Mot de passe oublié");
  const { form } = sendingForm({
    fields: [email],
    label: "Recevoir un lien",
    submit: async (values) => {
      const answer = await anonymous("POST", "/accounts/password-reset", { email: values.email });
      ctx.mount(title,
        h("div", { class: "card", role: "status" }, h("p", {}, answer.message)),
        h("p", {}, "Le lien ouvre une page de Relais où choisir le nouveau mot de passe ; vos appareils sont alors tous déconnectés."),
        h("p", {}, h("a", { class: "primary", href: "#/connexion" }, "Revenir à la connexion")));
    },
  });
  ctx.mount(title,
    h("p", {}, "Indiquez l'adresse e-mail de votre compte : vous recevrez un lien pour choisir un nouveau mot de passe."),
    form,
    h("ul", { class: "links" }, h("li", {}, h("a", { href: "#/connexion" }, "Revenir à la connexion"))));
}
