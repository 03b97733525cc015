// Notifications: the inbox (newest first, unread marked, the next pages as you scroll), each
// notice opening its invoice and read as it opens; « Tout marquer comme lu »; web push on
// this device when Relais offers it; the preferences per structure and category, and the
// quiet hours.
import { ApiError, Offline, get, query, sendJson } from "../api.js";
import { announce, h } from "../dom.js";
import { dateTime, plural } from "../format.js";
import { PAGE, inbox, markAllRead, markRead, pushing, read } from "../inbox.js";
import * as push from "../push.js";
import { heading, problem, staleNotice } from "./common.js";

const CATEGORIES = [
  ["action_required", "Action requise", "une facture à recycler, suspendue, rejetée, à compléter…"],
  ["payment", "Paiement", "une facture mise en paiement"],
  ["every_change", "Tous les changements", "chaque changement de statut, quel qu'il soit"],
];

function unreadWords(count) {
  return count ? plural(count, "notification non lue", "notifications non lues") : "Aucune notification non lue";
}

/** One notice: a link to where it is dealt with (read as it opens), or its text and a button. */
function notice(item) {
  const unread = !item.read_at;
  const content = [
    h("span", { class: "title" }, unread ? h("span", { class: "visually-hidden" }, "Non lue : ") : null, item.title),
    h("span", { class: "body" }, item.body),
    h("span", { class: "when" }, h("time", { datetime: item.created_at }, dateTime(item.created_at))),
  ];
  const cls = `notice${unread ? " unread" : ""}`;
  // Where it is dealt with: its invoice; a structure's account notice (technical password
  // expiring, join request) in Compte — the same places as the web push's link.
  const target = item.invoice_id ? `#/factures/${item.invoice_id}`
    : item.kind === "account_notice" && item.structure_id ? "#/compte" : null;
  if (target) {
    const link = h("a", { class: cls, href: target }, content);
    if (unread) link.addEventListener("click", () => { markRead(item.id).catch(() => {}); });
    return h("li", {}, link);
  }
  const box = h("div", { class: cls }, content);
  if (unread) {
    box.append(h("button", {
      class: "link-button", type: "button",
      onclick: async (event) => {
        event.target.disabled = true;
        try {
          await markRead(item.id); // the list is read again, and shows it read
          announce("Notification marquée comme lue.");
        } catch (error) {
          event.target.disabled = false;
          announce(error instanceof Offline ? "Hors ligne : réessayez avec le réseau." : error.message);
        }
      },
    }, "Marquer comme lue"));
  }
  return h("li", {}, box);
}

function inboxSection(ctx, first) {
  const list = h("ul", { class: "notices", "aria-label": "Notifications reçues" });
  const count = h("p", { class: "muted", role: "status" });
  const footer = h("div", { class: "list-footer" });
  const more = h("button", { class: "secondary", type: "button" }, "Afficher les notifications suivantes");
  const allRead = h("button", { class: "secondary", type: "button" }, "Tout marquer comme lu");
  let cursor = null;
  let loading = false;

  function showFirst(data) {
    list.replaceChildren();
    count.textContent = unreadWords(data.unread_count);
    allRead.disabled = !data.unread_count;
    showPage(data);
  }

  function showPage(data) {
    list.append(...data.items.map(notice));
    cursor = data.next_cursor;
    const end = list.children.length ? "Fin des notifications." : "Aucune notification pour l'instant : elles arrivent ici à chaque changement de statut de vos factures.";
    footer.replaceChildren(cursor ? more : h("span", {}, end));
  }

  async function loadMore() {
    if (!cursor || loading) return;
    loading = true;
    more.disabled = true;
    try {
      const page = await get(`/notifications${query({ limit: PAGE, cursor })}`);
      showPage(page.data);
    } catch (error) {
      footer.replaceChildren(error instanceof Offline
        ? h("p", { class: "error", role: "alert" }, "Hors ligne : la suite des notifications demande le réseau.")
        : problem(error), more);
    } finally {
      loading = false;
      more.disabled = false;
    }
  }

  more.addEventListener("click", loadMore);
  allRead.addEventListener("click", async () => {
    allRead.disabled = true;
    try {
      const page = await markAllRead();
      if (page) showFirst(page.data);
      announce("Toutes les notifications sont marquées comme lues.");
    } catch (error) {
      allRead.disabled = false;
      announce(error instanceof Offline ? "Hors ligne : réessayez avec le réseau." : error.message);
    }
  });
  showFirst(first);
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) loadMore();
  }, { rootMargin: "300px" });
  observer.observe(footer);
  // Something new (a push, the 30 s read): the first page again.
  const changed = (event) => { if (event.detail.changed) showFirst(event.detail.data); };
  inbox.addEventListener("inbox", changed);
  ctx.onLeave(() => {
    observer.disconnect();
    inbox.removeEventListener("inbox", changed);
  });
  return h("section", { "aria-labelledby": "boite" },
    h("h2", { id: "boite" }, "Boîte de réception"),
    h("div", { class: "toolbar" }, count, allRead),
    list, footer);
}

/** Web push on this device: offered when Relais has it, said plainly otherwise. */
function deviceSection(config) {
  const body = h("div", {});
  const say = (...children) => body.replaceChildren(...children);
  const state = h("p", { role: "status" });

  function offer() {
    if (!config.enabled) {
      return say(h("p", {}, "Les notifications s'affichent ici, dans l'application : la boîte de réception se met à jour quand vous revenez sur l'application, et toutes les 30 secondes tant qu'elle est affichée."));
    }
    if (!push.supported()) {
      return say(h("p", {}, "Ce navigateur ne peut pas recevoir de notifications : la boîte de réception se met à jour quand l'application est ouverte."));
    }
    if (Notification.permission === "denied") {
      return say(h("p", {}, "Les notifications sont bloquées pour Relais dans ce navigateur. Autorisez-les dans les réglages du site pour les recevoir sur cet appareil."));
    }
    if (Notification.permission === "granted" && push.isActive()) {
      return say(h("p", {}, "Cet appareil reçoit les notifications de Relais, même application fermée."),
        h("button", { class: "secondary", type: "button", onclick: off }, "Ne plus les recevoir sur cet appareil"), state);
    }
    return say(h("p", {}, "Recevez une notification sur cet appareil à chaque changement de statut, même application fermée."),
      h("button", { class: "primary", type: "button", onclick: on }, "Recevoir les notifications sur cet appareil"), state);
  }

  async function on(event) {
    event.target.disabled = true;
    try {
      const permission = await push.enable(config);
      pushing(permission === "granted"); // the worker now says when something comes
      if (permission === "granted") {
        offer();
        announce("Notifications activées sur cet appareil.");
        return;
      }
      state.textContent = "Notifications non autorisées : rien n'a changé.";
    } catch (error) {
      state.textContent = error instanceof Offline ? "Hors ligne : l'activation demande le réseau." : "L'activation a échoué. Réessayez plus tard.";
    }
    event.target.disabled = false;
    if (Notification.permission === "denied") offer();
  }

  async function off(event) {
    event.target.disabled = true;
    try {
      await push.disable(config);
      pushing(false); // the inbox is read every 30 s again
      say(h("p", {}, "Cet appareil ne reçoit plus les notifications. Pour les bloquer tout à fait, retirez l'autorisation dans les réglages du site."));
    } catch (error) {
      event.target.disabled = false;
      state.textContent = error instanceof Offline ? "Hors ligne : réessayez avec le réseau." : error.message;
    }
  }

  offer();
  return h("section", { "aria-labelledby": "appareil" }, h("h2", { id: "appareil" }, "Sur cet appareil"), body);
}

function checkbox(name, label, { checked, disabled, describedBy } = {}) {
  return h("label", { class: "check" },
    h("input", { type: "checkbox", name, checked: Boolean(checked), disabled: Boolean(disabled), "aria-describedby": describedBy }),
    label);
}

function timeField(id, label, value) {
  return h("div", { class: "field" }, h("label", { for: id }, label),
    h("input", { id, name: id, type: "time", value: value || "", step: 60 }));
}

function zones(current) {
  const names = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return names.includes(current) ? names : [current, ...names];
}

function preferencesForm(prefs) {
  const structures = prefs.structures.map((s) => {
    const note = `verrou-${s.structure_id}`;
    const locked = new Set(s.locked);
    return h("fieldset", { class: "card prefs" },
      h("legend", {}, s.name),
      CATEGORIES.map(([key, label, detail]) => checkbox(`${s.structure_id}:${key}`,
        [h("span", {}, h("strong", {}, label), h("span", { class: "muted" }, ` — ${detail}`))],
        { checked: s[key], disabled: locked.has(key), describedBy: locked.has(key) ? note : null })),
      locked.size ? h("p", { class: "muted", id: note },
        "Gestionnaire principal : les notifications « Action requise » et « Paiement » de cette structure restent actives, pour que quelqu'un soit toujours prévenu.") : null);
  });
  const quiet = prefs.quiet_hours;
  const quietOn = checkbox("quiet", "Activer les heures calmes", { checked: Boolean(quiet) });
  const quietFields = h("div", { class: "quiet" },
    timeField("quiet-start", "Début", quiet ? quiet.start : "22:00"),
    timeField("quiet-end", "Fin", quiet ? quiet.end : "07:00"),
    checkbox("quiet-bypass", "Laisser passer les notifications « Action requise »",
      { checked: quiet ? quiet.bypass_for_action_required : false }));
  const zone = h("div", { class: "field" }, h("label", { for: "fuseau" }, "Fuseau horaire"),
    h("select", { id: "fuseau", name: "fuseau" },
      zones(prefs.time_zone).map((name) => h("option", { value: name, selected: name === prefs.time_zone }, name.replaceAll("_", " ")))));
  const showQuiet = () => { quietFields.hidden = !quietOn.querySelector("input").checked; };
  quietOn.querySelector("input").addEventListener("change", showQuiet);
  showQuiet();
  const status = h("p", { role: "status" });
  const form = h("form", { class: "prefs-form", novalidate: true },
    h("h3", {}, "Par structure et par catégorie"),
    structures.length ? structures : h("p", {}, "Aucune structure n'est rattachée à votre compte."),
    h("fieldset", { class: "card prefs" }, h("legend", {}, "Annonces de Relais"),
      checkbox("service", "Maintenances et incidents du service", { checked: prefs.service_notices })),
    h("fieldset", { class: "card prefs" }, h("legend", {}, "Heures calmes"),
      h("p", { class: "muted" }, "Pendant cette plage, les notifications attendent sa fin pour arriver : elles ne sont pas perdues."),
      quietOn, quietFields, zone),
    h("div", {}, h("button", { class: "primary", type: "submit" }, "Enregistrer les préférences")),
    status);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (name) => form.elements[name];
    const body = {
      time_zone: value("fuseau").value,
      service_notices: value("service").checked,
      quiet_hours: value("quiet").checked
        ? { start: value("quiet-start").value, end: value("quiet-end").value, bypass_for_action_required: value("quiet-bypass").checked }
        : null,
      structures: prefs.structures.map((s) => Object.fromEntries([["structure_id", s.structure_id],
        ...CATEGORIES.filter(([key]) => !s.locked.includes(key)).map(([key]) => [key, value(`${s.structure_id}:${key}`).checked])])),
    };
    if (body.quiet_hours && (!body.quiet_hours.start || !body.quiet_hours.end)) {
      status.className = "error";
      status.textContent = "Indiquez le début et la fin des heures calmes.";
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await sendJson("PUT", "/me/notification-preferences", body);
      status.className = "saved";
      status.textContent = "Préférences enregistrées.";
    } catch (error) {
      status.className = "error";
      status.textContent = error instanceof Offline ? "Hors ligne : l'enregistrement demande le réseau. Réessayez quand il revient."
        : error instanceof ApiError ? `Non enregistré : ${error.message}` : "Non enregistré : une erreur est survenue.";
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

export async function render(ctx) {
  const title = heading("Notifications");
  let first, prefs, config;
  try {
    [first, prefs, config] = await Promise.all([read(), get("/me/notification-preferences"), push.settings(),
      push.resumed()]);
  } catch (error) {
    return ctx.mount(title, problem(error));
  }
  // The inbox may be long: the settings are one tap away (the address's # holds the route).
  const jump = h("button", {
    class: "link-button", type: "button",
    onclick: () => {
      const target = document.getElementById("preferences");
      target.focus();
      target.scrollIntoView({ block: "start" });
    },
  }, "Aller aux préférences et aux heures calmes");
  ctx.mount(title, staleNotice(first, prefs), h("p", { class: "jump" }, jump),
    inboxSection(ctx, first.data),
    deviceSection(config),
    h("section", { "aria-labelledby": "preferences" },
      h("h2", { id: "preferences", tabindex: "-1" }, "Préférences"),
      preferencesForm(prefs.data)));
}
