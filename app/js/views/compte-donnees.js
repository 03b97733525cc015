// « Mes données » in the Compte screen: a copy of what Relais keeps about the person (the
// API's JSON export, downloaded with the session and never kept by the app), and the deletion
// of the account — password, and the two-factor code when it is on; the API's refusals said
// as they come (a structure to hand over first, named); once deleted, the app signs out here.
import { Offline, change, download, forgetSession, get } from "../api.js";
import { h } from "../dom.js";
import { field, panel, passwordField, sendingForm } from "../forms.js";
import { addAccountSection } from "./compte.js";

const ID = "mes-donnees";

addAccountSection({ order: 60, render: (me) => myData(me) });

async function myData() {
  let twoFactor = false;
  try {
    twoFactor = (await get("/me/two-factor")).data.enabled;
  } catch {
    // Unknown (offline): the code is asked for if the API says it is needed.
  }
  return panel(ID, "Mes données",
    h("p", {}, "Une copie de tout ce que Relais conserve sur vous : profil, structures et rôles, sessions, appareils, préférences de notification. Les factures n'y figurent pas : ce sont les données de vos structures."),
    h("p", {}, "Pourquoi Relais conserve ces données, combien de temps et à qui il les transmet : ",
      h("a", { href: "/confidentialite/" }, "protection des données personnelles"), "."),
    exportPart(),
    h("h3", { id: "supprimer-compte", tabindex: "-1" }, "Supprimer mon compte"),
    h("p", {}, "Vos données personnelles sont effacées et vous quittez vos structures. Une structure dont vous êtes le dernier membre est effacée avec ses données ; les autres gardent leurs factures. Si vous êtes le seul gestionnaire principal d'une structure qui a d'autres membres, nommez-en d'abord un autre."),
    deletePart(twoFactor));
}

function exportPart() {
  const status = h("p", { role: "status", class: "muted" });
  const button = h("button", { type: "button", class: "primary" }, "Télécharger mes données (JSON)");
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "Préparation de la copie…";
    try {
      const { blob, filename } = await download("/me/export");
      const link = h("a", { href: URL.createObjectURL(blob), download: filename, hidden: true });
      document.body.append(link);
      link.click();
      setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      status.textContent = `Copie téléchargée : ${filename}`;
    } catch (error) {
      status.textContent = error instanceof Offline
        ? "Hors ligne : la copie se télécharge avec le réseau. Réessayez quand il revient."
        : `La copie n'a pas pu être téléchargée : ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
  return h("div", {}, h("p", {}, button), status);
}

function deletePart(twoFactor) {
  const password = passwordField("Mot de passe", { name: "password", id: "supprimer-mdp", autocomplete: "current-password" },
    { missing: "Indiquez votre mot de passe." });
  password.input.required = true;
  const code = field("Code de vérification", {
    name: "code", id: "supprimer-code", autocomplete: "one-time-code", inputmode: "numeric", spellcheck: "false", maxlength: "32",
  }, { hint: "Un code de votre application d'authentification, ou l'un de vos codes de secours.",
    missing: "Indiquez le code de votre application d'authentification." });
  code.input.required = true;
  const fields = twoFactor ? [password, code] : [password];
  const { form } = sendingForm({
    fields,
    label: "Supprimer définitivement mon compte",
    className: "stack",
    submit: async (values) => {
      const body = { password: values.password };
      if (twoFactor) body.code = values.code.replace(/\s+/g, "");
      await change("DELETE", "/me", body);
      await forgetSession();
      location.hash = "#/connexion?motif=compte-supprime"; // the sign-in screen says it
    },
  });
  form.querySelector("button[type=submit]").className = "danger";
  return h("details", {},
    h("summary", {}, "Supprimer mon compte"),
    h("p", {}, "C'est définitif : le compte ne pourra pas être rétabli."),
    form);
}
