// Se connecter, with the e-mail and password (the demo login works in demo mode); when the
// account has two-factor authentication, a second step asks for its code (or a recovery code),
// sent with the same e-mail and password in the login's `otp` field.
import { ApiError, login } from "../api.js";
import { h } from "../dom.js";
import { explain, field, passwordField, sendingForm } from "../forms.js";
import { heading } from "./common.js";

const PROBLEM = "urn:relais:problem:";
// Why the sign-in screen is shown (#/connexion?motif=…).
const MOTIFS = {
  expiree: "Votre session a pris fin : reconnectez-vous.",
  "compte-supprime": "Votre compte est supprimé et vos données personnelles sont effacées. Un e-mail de confirmation vous a été envoyé.",
};

export async function render(ctx) {
  const enter = () => {
    const next = ctx.params.get("suite") || "";
    ctx.go(next.startsWith("#/") ? next : "#/synthese"); // only a screen of the app
  };
  const email = field("Adresse e-mail", { name: "email", type: "email", autocomplete: "username", id: "email" },
    { missing: "Indiquez votre adresse e-mail." });
  const password = passwordField("Mot de passe", { name: "password", autocomplete: "current-password", id: "mot-de-passe" },
    { missing: "Indiquez votre mot de passe." });
  email.input.required = password.input.required = true;
  const first = sendingForm({
    fields: [email, password],
    label: "Se connecter",
    submit: async (values) => {
      try {
        await login(values.email, values.password);
      } catch (error) {
        if (error instanceof ApiError && error.type === `${PROBLEM}two-factor-required`) {
          return secondStep(ctx, values, enter);
        }
        throw error;
      }
      enter();
    },
    refuse: (error) => (error instanceof ApiError ? null : explain(error, "Hors ligne : la connexion demande le réseau. Réessayez quand il revient.")),
  });
  const said = MOTIFS[ctx.params.get("motif")];
  const why = said ? h("p", { class: "stale", role: "status" }, said) : null;
  ctx.mount(heading("Se connecter"), why,
    h("p", { class: "muted" }, "Suivez les factures de vos structures déposées sur le portail national."),
    first.form,
    h("ul", { class: "links" },
      h("li", {}, h("a", { href: "#/mot-de-passe-oublie" }, "Mot de passe oublié ?")),
      h("li", {}, "Pas encore de compte ? ", h("a", { href: "#/inscription" }, "Créer un compte"))));
}

/** The code of the authenticator app, or a recovery code; the e-mail and password stay in memory. */
function secondStep(ctx, credentials, enter) {
  const code = field("Code de vérification", {
    name: "otp", id: "code-2fa", autocomplete: "one-time-code", inputmode: "numeric", spellcheck: "false", maxlength: "32",
  }, {
    hint: "Les 6 chiffres affichés par votre application d'authentification, ou l'un de vos codes de secours.",
    missing: "Indiquez le code de votre application d'authentification.",
  });
  code.input.required = true;
  const back = h("button", { type: "button", class: "secondary" }, "Revenir");
  back.addEventListener("click", () => ctx.reload());
  const step = sendingForm({
    fields: [code],
    label: "Valider le code",
    extra: [" ", back],
    submit: async (values) => {
      await login(credentials.email, credentials.password, values.otp.replace(/\s+/g, ""));
      enter();
    },
  });
  ctx.mount(heading("Se connecter"),
    h("p", { role: "status" }, "La double authentification est activée sur ce compte : saisissez le code de votre application."),
    step.form);
}
