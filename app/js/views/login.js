// Se connecter, with the e-mail and password (the demo login works in demo mode).
import { ApiError, Offline, login } from "../api.js";
import { h } from "../dom.js";
import { heading } from "./common.js";

export async function render(ctx) {
  const message = h("p", { id: "connexion-erreur", role: "alert", class: "error", hidden: true });
  const email = h("input", { id: "email", name: "email", type: "email", autocomplete: "username", required: true, "aria-describedby": "connexion-erreur" });
  const password = h("input", { id: "mot-de-passe", name: "password", type: "password", autocomplete: "current-password", required: true });
  const button = h("button", { class: "primary", type: "submit" }, "Se connecter");
  const form = h("form", { class: "stack card", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "email" }, "Adresse e-mail"), email),
    h("div", { class: "field" }, h("label", { for: "mot-de-passe" }, "Mot de passe"), password),
    message, h("div", {}, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fail = (text) => {
      message.textContent = text;
      message.hidden = false;
    };
    if (!email.value || !password.value) return fail("Indiquez votre adresse e-mail et votre mot de passe.");
    button.disabled = true;
    try {
      await login(email.value.trim(), password.value);
      const next = ctx.params.get("suite") || "";
      ctx.go(next.startsWith("#/") ? next : "#/synthese"); // only a screen of the app
    } catch (error) {
      if (error instanceof Offline) fail("Hors ligne : la connexion demande le réseau. Réessayez quand il revient.");
      else if (error instanceof ApiError) fail(error.message);
      else fail("La connexion a échoué.");
      button.disabled = false;
    }
  });
  const why = ctx.params.get("motif") === "expiree" ? h("p", { class: "stale", role: "status" }, "Votre session a pris fin : reconnectez-vous.") : null;
  ctx.mount(heading("Se connecter"), why,
    h("p", { class: "muted" }, "Suivez les factures de vos structures déposées sur le portail national."),
    form);
}
