// Web push on this device, when Relais is set up for it (FIREBASE_WEB_CONFIG): the Firebase
// JS SDK (vendored, app/vendor/firebase/) takes this browser's FCM token through the app's
// own service worker, and the token is registered as a device of platform "web". The worker
// (sw.js) shows the pushes. Without that setting nothing here runs: the inbox is read on
// focus and every 30 s instead (js/inbox.js), and the screen says so.
import { events, get, sendJson } from "./api.js";

const APP_NAME = "relais";
// « Ne plus les recevoir sur cet appareil »: remembered on the device (no secret in it), so
// the next start does not register again while the browser's permission stays granted.
const TURNED_OFF = "relais.push-off";
let active = false; // registered at Relais in this session

events.addEventListener("signed-out", () => { active = false; }); // Relais retired the device

/** This device receives web pushes now (registered in this session). */
export function isActive() {
  return active;
}

/** {enabled, firebase, vapid_key}, or {enabled: false} when it cannot be known. */
export async function settings() {
  try {
    return (await get("/push/web-config")).data;
  } catch {
    return { enabled: false };
  }
}

/** This browser can receive web pushes (service worker, Push API, notifications). */
export function supported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

async function messaging(config) {
  const [{ getApps, initializeApp }, sdk] = await Promise.all([
    import("../vendor/firebase/firebase-app.js"),
    import("../vendor/firebase/firebase-messaging.js"),
  ]);
  const app = getApps().find((a) => a.name === APP_NAME) || initializeApp(config.firebase, APP_NAME);
  return { sdk, messaging: sdk.getMessaging(app) };
}

async function register(config) {
  const { sdk, messaging: m } = await messaging(config);
  const token = await sdk.getToken(m, {
    vapidKey: config.vapid_key,
    serviceWorkerRegistration: await navigator.serviceWorker.ready,
  });
  const device = await sendJson("POST", "/devices", {
    token,
    platform: "web",
    locale: "fr",
    time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    app_version: "web",
  });
  active = true;
  localStorage.removeItem(TURNED_OFF);
  return device;
}

/** Ask the person (after their tap), then register: "granted", "denied" or "default". */
export async function enable(config) {
  const permission = await Notification.requestPermission();
  if (permission === "granted") await register(config);
  return permission;
}

/** At start: registered again when allowed before (the token may have changed). True when on. */
export function resume() {
  resuming = (async () => {
    if (!supported() || Notification.permission !== "granted" || localStorage.getItem(TURNED_OFF)) return false;
    const config = await settings();
    if (!config.enabled) return false;
    await register(config);
    return true;
  })();
  return resuming;
}
let resuming = Promise.resolve(false);

/** Once the registration renewed at start is done (whatever came of it): isActive() is known. */
export function resumed() {
  return resuming.catch(() => false);
}

/** Stop pushes to this browser: the token is deleted at Firebase, the device at Relais. */
export async function disable(config) {
  localStorage.setItem(TURNED_OFF, "1");
  active = false;
  const devices = (await get("/devices")).data;
  for (const device of devices.filter((d) => d.current && d.platform === "web")) {
    await sendJson("DELETE", `/devices/${device.id}`);
  }
  const { sdk, messaging: m } = await messaging(config);
  await sdk.deleteToken(m).catch(() => false);
}
