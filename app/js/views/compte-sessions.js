// The login sessions of the Compte screen: each device with when it was opened and last used;
// end one, or all the others (this one stays open).
import { change, get } from "../api.js";
import { announce, h, show } from "../dom.js";
import { backTo, explain, panel } from "../forms.js";
import { dateTime, plural } from "../format.js";
import { problem } from "./common.js";

/** "Chrome sur Android" from a User-Agent; the browser's own words when it says nothing known. */
export function deviceName(agent) {
  if (!agent) return "Appareil inconnu";
  const browser = [[/Edg\//, "Edge"], [/Firefox\//, "Firefox"], [/OPR\//, "Opera"], [/Chrom(e|ium)\//, "Chrome"],
    [/Safari\//, "Safari"], [/okhttp|Dart|CFNetwork/i, "Application Relais"]].find(([re]) => re.test(agent));
  const system = [[/Android/, "Android"], [/iPhone|iPad|iOS/, "iOS"], [/Windows/, "Windows"], [/Mac OS X|Macintosh/, "macOS"],
    [/CrOS/, "ChromeOS"], [/Linux/, "Linux"]].find(([re]) => re.test(agent));
  if (!browser && !system) return agent.slice(0, 60);
  return [browser ? browser[1] : "Navigateur", system ? `sur ${system[1]}` : null].filter(Boolean).join(" ");
}

function line(session, refresh, say) {
  const name = deviceName(session.device);
  const opened = `ouverte le ${dateTime(session.created_at)}`;
  const used = `dernière utilisation le ${dateTime(session.last_used_at)}`;
  let action = null;
  if (session.current) {
    action = h("span", { class: "badge" }, "Cet appareil");
  } else {
    action = h("button", { type: "button", class: "secondary" }, "Fermer",
      h("span", { class: "visually-hidden" }, ` la session ${name}, ${opened}`));
    action.addEventListener("click", async () => {
      action.disabled = true;
      try {
        await change("DELETE", `/me/sessions/${session.id}`);
        announce(`Session ${name} fermée.`);
      } catch (error) {
        say(explain(error));
      }
      await refresh();
      backTo("sessions");
    });
  }
  return h("li", { class: "session" },
    h("div", {}, h("strong", {}, name), h("br"), h("span", { class: "muted" }, `${opened} · ${used}`)),
    action);
}

/** {node, refresh}: the section, and a way to read the list again (after a change elsewhere). */
export async function sessionsSection() {
  const body = h("div", {});
  const message = h("p", { role: "status" });
  const say = (text) => { message.textContent = text; };
  const refresh = async () => {
    let found;
    try {
      found = (await get("/me/sessions")).data.items;
    } catch (error) {
      return show(body, problem(error));
    }
    const others = found.filter((s) => !s.current).length;
    const all = h("button", { type: "button", class: "secondary" }, "Fermer toutes les autres sessions");
    all.addEventListener("click", async () => {
      all.disabled = true;
      try {
        const { revoked } = await change("POST", "/me/sessions/revoke-others");
        say(revoked ? `${plural(revoked, "session fermée", "sessions fermées")}. Cet appareil reste connecté.` : "Aucune autre session n'était ouverte.");
      } catch (error) {
        say(explain(error));
      }
      await refresh();
      backTo("sessions");
    });
    show(body,
      h("ul", { class: "sessions" }, found.map((s) => line(s, refresh, say))),
      others ? h("p", {}, all) : h("p", { class: "muted" }, "Aucune autre session n'est ouverte."));
  };
  await refresh();
  const node = panel("sessions", "Sessions ouvertes",
    h("p", { class: "muted" }, "Les appareils connectés à votre compte. Fermez une session que vous ne reconnaissez pas, puis changez votre mot de passe."),
    body, message);
  return { node, refresh };
}
