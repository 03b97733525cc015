// Créer un compte: name, e-mail and password (the API judges its strength and says why in
// French), then « Vérifiez votre boîte de réception ». The e-mailed link opens the site's page
// /compte/confirmer/, which activates the account and leads back here to sign in.
import { anonymous } from "../api.js";
import { h } from "../dom.js";
import { field, liveVerdict, passwordField, sendingForm } from "../forms.js";
import { heading } from "./common.js";

// The address the link was sent to, for the next screen (kept out of the address bar).
let sentTo = null;

// No length here: the API's rule (PASSWORD_MIN_LENGTH) is said by its live verdict as one types.
export const PASSWORD_HINT =
  "Difficile à deviner : plusieurs mots peu courants, sans lien avec vous ni avec Relais. Ce qui manque s'affiche pendant la saisie.";

export async function render(ctx) {
  const name = field("Nom et prénom", { name: "full_name", autocomplete: "name", maxlength: "200" },
    { missing: "Indiquez votre nom." });
  const email = field("Adresse e-mail", { name: "email", type: "email", autocomplete: "email", maxlength: "254" },
    { hint: "Le lien d'activation y sera envoyé ; elle sert ensuite à vous connecter.", missing: "Indiquez votre adresse e-mail." });
  const password = passwordField("Mot de passe", { name: "password", autocomplete: "new-password", maxlength: "1024" },
    { hint: PASSWORD_HINT, missing: "Choisissez un mot de passe." });
  for (const f of [name, email, password]) f.input.required = true;
  liveVerdict(password, () => ({ email: email.input.value.trim(), full_name: name.input.value.trim() }));
  const { form } = sendingForm({
    fields: [name, email, password],
    label: "Créer mon compte",
    submit: async (values) => {
      await anonymous("POST", "/accounts", values);
      sentTo = values.email;
      ctx.go("#/inscription/envoyee");
    },
  });
  ctx.mount(heading("Créer un compte"),
    h("p", { class: "muted" }, "Un compte Relais suit les factures de vos structures sur le portail national. Vous ajouterez vos structures une fois connecté."),
    form,
    h("p", { class: "muted" }, "Ce que Relais conserve sur vous, pourquoi et combien de temps : ",
      h("a", { href: "/confidentialite/" }, "protection des données personnelles"), "."),
    h("ul", { class: "links" },
      h("li", {}, "Déjà un compte ? ", h("a", { href: "#/connexion" }, "Se connecter"))));
}

/** « Vérifiez votre boîte » : the same words whether the address already had an account. */
export async function sent(ctx) {
  const where = sentTo ? h("strong", {}, sentTo) : "l'adresse indiquée";
  ctx.mount(heading("Vérifiez votre boîte de réception"),
    h("div", { class: "card", role: "status" },
      h("p", {}, "Un e-mail vient d'être envoyé à ", where, "."),
      h("p", {}, "Ouvrez le lien qu'il contient pour activer votre compte, puis revenez ici pour vous connecter.")),
    h("h2", {}, "Rien reçu ?"),
    h("ul", {},
      h("li", {}, "Le message peut mettre quelques minutes à arriver ; regardez aussi dans les courriers indésirables."),
      h("li", {}, "Vérifiez l'adresse, et ", h("a", { href: "#/inscription" }, "recommencez l'inscription"), " si elle était fausse.")),
    h("p", {}, h("a", { class: "primary", href: "#/connexion" }, "Se connecter")));
}
