// The app's shell: sections and routes, the navigation, the network notice, sign-out, and
// the service worker that keeps the app's files for offline use.
import { SignedOut, events, isOnline, logout, signedIn } from "./api.js";
import { announce, h, show } from "./dom.js";
import * as store from "./store.js";
import * as login from "./views/login.js";
// Getting in and the account (issue 19): sign-up, forgotten password, structures, Compte.
import * as inscription from "./views/inscription.js";
import * as oubli from "./views/oubli.js";
import * as structure from "./views/structure.js";
import * as compte from "./views/compte.js";
import * as invitation from "./views/invitation.js";
// The Compte screen's members, invitations and leaving (per structure), and « Mes données ».
import "./views/compte-membres.js";
// The join requests waiting for an answer, for those who may answer them.
import "./views/compte-demandes.js";
import "./views/compte-donnees.js";
import * as synthese from "./views/synthese.js";
import * as factures from "./views/factures.js";
import * as detail from "./views/detail.js";
import * as tableau from "./views/tableau.js";
import * as notifications from "./views/notifications.js";
import { watch as watchInbox } from "./inbox.js";

// The sections of the navigation, in order. The next ones (Notifications, Compte: sign-up,
// structures, invitations, 2FA) each add one entry here and their routes below.
const SECTIONS = [
  { id: "synthese", label: "Synthèse", href: "#/synthese", icon: "M4 5h16v3H4zM4 10.5h16v3H4zM4 16h10v3H4z" },
  { id: "factures", label: "Factures", href: "#/factures", icon: "M6 3h9l4 4v14H6zM14 3v5h5M9 12h7M9 16h7" },
  { id: "tableau", label: "Tableau de bord", href: "#/tableau-de-bord", icon: "M4 20V10h4v10zM10 20V4h4v16zM16 20v-7h4v7z" },
  { id: "notifications", label: "Notifications", href: "#/notifications", icon: "M6 17v-6a6 6 0 0 1 12 0v6l2 2H4zM10 21h4" },
  { id: "compte", label: "Compte", href: "#/compte", icon: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21c0-4 4-6 8-6s8 2 8 6" },
];

const ROUTES = [
  { path: /^\/connexion$/, view: login, public: true },
  // Getting in and the account (issue 19).
  { path: /^\/inscription$/, view: inscription, public: true },
  { path: /^\/inscription\/envoyee$/, view: { render: inscription.sent }, public: true },
  { path: /^\/mot-de-passe-oublie$/, view: oubli, public: true },
  { path: /^\/compte$/, view: compte, section: "compte" },
  { path: /^\/structures\/ajouter$/, view: structure, section: "compte" },
  { path: /^\/structures\/(\d+)\/synchronisation$/, view: { render: structure.progress }, section: "compte" },
  // Accepting an invitation: open to all, signed in (accept) or not (make the account).
  { path: /^\/invitation$/, view: invitation, open: true },
  { path: /^\/synthese$/, view: synthese, section: "synthese" },
  { path: /^\/factures$/, view: factures, section: "factures" },
  { path: /^\/factures\/(\d+)$/, view: detail, section: "factures" },
  { path: /^\/tableau-de-bord$/, view: tableau, section: "tableau" },
  { path: /^\/notifications$/, view: notifications, section: "notifications" },
];

const main = document.getElementById("contenu");
const nav = document.getElementById("navigation");
const signOut = document.getElementById("deconnexion");
const networkNotice = document.getElementById("reseau");
let generation = 0;
let leaving = [];
let firstScreen = true;

function buildNavigation() {
  const icon = (d) => h("svg", { viewBox: "0 0 24 24", "aria-hidden": "true", focusable: "false" },
    h("path", { d, fill: "none", stroke: "currentColor", "stroke-width": "2", "stroke-linejoin": "round" }));
  show(document.getElementById("onglets"), SECTIONS.map((s) =>
    h("li", {}, h("a", { href: s.href, "data-section": s.id }, icon(s.icon), h("span", {}, s.label)))));
}

function markSection(id) {
  for (const link of nav.querySelectorAll("a[data-section]")) {
    if (link.dataset.section === id) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function parse() {
  const raw = location.hash.replace(/^#/, "") || "/synthese";
  const [path, search = ""] = raw.split("?");
  return { path, params: new URLSearchParams(search) };
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function route() {
  const { path, params } = parse();
  const found = ROUTES.find((r) => r.path.test(path));
  if (!found) return go("#/synthese");
  if (!found.public && !found.open && !signedIn()) return go(`#/connexion${path === "/synthese" ? "" : `?suite=${encodeURIComponent(location.hash)}`}`);
  if (found.public && signedIn()) return go("#/synthese");
  const mine = ++generation;
  for (const stop of leaving) stop();
  leaving = [];
  nav.hidden = found.public || !signedIn();
  signOut.hidden = found.public || !signedIn();
  markSection(found.section);
  main.setAttribute("aria-busy", "true");
  delete main.dataset.shown;
  const ctx = {
    params,
    match: path.match(found.path),
    go,
    reload: route,
    onLeave: (stop) => leaving.push(stop),
    // A screen shows only if no other navigation started meanwhile.
    mount: (...children) => {
      if (mine !== generation) return;
      show(main, ...children);
      main.removeAttribute("aria-busy");
      main.dataset.shown = location.hash; // which address the screen shows (tests wait on it)
      const title = main.querySelector("h1");
      if (!firstScreen && title) title.focus();
      firstScreen = false;
    },
  };
  try {
    await found.view.render(ctx);
  } catch (error) {
    if (error instanceof SignedOut) return;
    throw error;
  }
}

function showNetwork(online) {
  networkNotice.hidden = online;
  networkNotice.textContent = online ? "" : "Hors ligne";
}

events.addEventListener("network", (e) => showNetwork(e.detail.online));
events.addEventListener("signed-out", (e) => {
  if (e.detail.reason === "expired") go("#/connexion?motif=expiree");
});
signOut.addEventListener("click", async () => {
  const reached = await logout();
  go("#/connexion");
  announce(reached ? "Vous êtes déconnecté." : "Hors ligne : vous êtes déconnecté sur cet appareil, sans que Relais ait pu en être prévenu.");
});
window.addEventListener("online", () => { if (!isOnline()) route(); });

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("sw.js", { scope: "./" }).catch(() => {
    // Without the worker the app still works online; only the offline copy is missing.
  });
}

// The skip link moves the focus without touching the address (its # holds the route).
document.querySelector(".skip").addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});

buildNavigation();
// The unread count on the Notifications link, and the inbox kept fresh (js/inbox.js).
watchInbox(nav.querySelector('a[data-section="notifications"]'));
window.addEventListener("hashchange", route);
// No session open: nothing of a past session's data stays on the device.
(signedIn() ? Promise.resolve() : store.clear()).then(route);
