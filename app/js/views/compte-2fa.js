// Two-factor authentication in the Compte screen: turn it on (the otpauth:// address as a QR
// code and its secret as text, then a first code), the recovery codes shown once, new ones,
// and turning it off (password and a code).
import { change, get } from "../api.js";
import { h, show } from "../dom.js";
import { backTo, explain, field, panel, passwordField, sendingForm } from "../forms.js";
import { plural } from "../format.js";
import { problem } from "./common.js";

const ID = "double-authentification";

function codeField(id, hint) {
  const code = field("Code de vérification", {
    name: "code", id, autocomplete: "one-time-code", inputmode: "numeric", spellcheck: "false", maxlength: "32",
  }, { hint, missing: "Indiquez le code de votre application d'authentification." });
  code.input.required = true;
  return code;
}

const clean = (code) => code.replace(/\s+/g, "");

/** The section: what it is now, and what can be done. */
export async function twoFactorSection() {
  const body = h("div", {});
  const node = panel(ID, "Double authentification", body);
  await status(body);
  return node;
}

async function status(body) {
  let now;
  try {
    now = (await get("/me/two-factor")).data;
  } catch (error) {
    return show(body, problem(error));
  }
  if (!now.enabled) return offer(body);
  const disable = (() => {
    const password = passwordField("Mot de passe", { name: "password", id: "desactiver-mdp", autocomplete: "current-password" },
      { missing: "Indiquez votre mot de passe." });
    password.input.required = true;
    const code = codeField("desactiver-code", "Un code de l'application, ou l'un de vos codes de secours.");
    return sendingForm({
      fields: [password, code],
      label: "Désactiver la double authentification",
      className: "stack",
      submit: async (values) => {
        await change("DELETE", "/me/two-factor", { password: values.password, code: clean(values.code) });
        await status(body);
        backTo(ID);
      },
    }).form;
  })();
  const renew = sendingForm({
    fields: [codeField("renouveler-code", "Un code de l'application : les anciens codes de secours ne serviront plus.")],
    label: "Obtenir de nouveaux codes",
    className: "stack",
    submit: async (values) => showCodes(body, (await change("POST", "/me/two-factor/recovery-codes", { code: clean(values.code) })).recovery_codes, "Nouveaux codes de secours :"),
  }).form;
  show(body,
    h("p", { role: "status" }, h("strong", {}, "Activée."), " Chaque connexion demande, après le mot de passe, le code de votre application d'authentification."),
    h("p", {}, `Codes de secours restants : ${plural(now.recovery_codes_left, "code", "codes")}.`),
    h("details", {}, h("summary", {}, "Nouveaux codes de secours"), renew),
    h("details", {}, h("summary", {}, "Désactiver"), disable));
}

function offer(body) {
  const start = h("button", { type: "button", class: "primary" }, "Activer la double authentification");
  const message = h("p", { class: "error", role: "alert", hidden: true });
  start.addEventListener("click", async () => {
    start.disabled = true;
    try {
      const secret = await change("POST", "/me/two-factor");
      // The QR encoder is loaded now only (the app's offline copy leaves it out).
      const { qrCode } = await import("../qr.js");
      setup(body, secret, qrCode);
    } catch (error) {
      message.textContent = explain(error);
      message.hidden = false;
      start.disabled = false;
    }
  });
  show(body,
    h("p", {}, "Désactivée. Activée, elle demande à chaque connexion, en plus du mot de passe, un code à 6 chiffres donné par une application d'authentification de votre téléphone (FreeOTP, Aegis, Google Authenticator…)."),
    h("p", {}, start), message);
}

/** The secret, as a QR code and as text; a first code turns it on. */
function setup(body, secret, qrCode) {
  const grouped = secret.secret.replace(/(.{4})/g, "$1 ").trim();
  const code = codeField("activer-code", "Les 6 chiffres que l'application affiche pour Relais.");
  const cancel = h("button", { type: "button", class: "secondary" }, "Annuler");
  cancel.addEventListener("click", async () => {
    await status(body);
    backTo(ID);
  });
  const { form } = sendingForm({
    fields: [code],
    label: "Activer",
    extra: [" ", cancel],
    className: "stack",
    submit: async (values) => showCodes(body, (await change("POST", "/me/two-factor/confirm", { code: clean(values.code) })).recovery_codes, "Double authentification activée. Voici vos codes de secours :"),
  });
  show(body,
    h("ol", { class: "steps" },
      h("li", {}, "Dans votre application d'authentification, ajoutez un compte en scannant ce QR code :",
        h("div", { class: "qr-box" }, qrCode(secret.otpauth_uri, "QR code du compte Relais pour l'application d'authentification"))),
      h("li", {}, "Ou saisissez cette clé à la main : ", h("code", { class: "secret", "data-secret": secret.secret }, grouped)),
      h("li", {}, "Saisissez ci-dessous le premier code qu'elle affiche.")),
    form);
  backTo(ID);
}

/** The recovery codes, shown this time only. */
function showCodes(body, codes, lead) {
  const done = h("button", { type: "button", class: "primary" }, "J'ai noté mes codes");
  done.addEventListener("click", async () => {
    await status(body);
    backTo(ID);
  });
  show(body,
    h("p", { role: "status" }, h("strong", {}, lead)),
    h("p", { class: "stale" }, "Notez-les ou imprimez-les maintenant et gardez-les à l'abri : ils ne seront plus affichés. Chacun remplace une fois le code de l'application, si vous perdez votre téléphone."),
    h("ul", { class: "recovery-codes", "aria-label": "Codes de secours" }, codes.map((c) => h("li", {}, h("code", {}, c)))),
    h("p", {}, done));
  backTo(ID);
}
