// The inbox's first page, kept fresh while the app is open: read again when the app comes
// back to the screen (focus, visibility) and, unless this device receives web pushes, every
// 30 seconds while it is visible. Each read is revalidated (api.get: If-None-Match), so an
// inbox with nothing new costs a 304. The unread count shows on the navigation's link.
import { events, get, sendJson, signedIn } from "./api.js";
import { resume } from "./push.js";

export const PAGE = 25;
export const FIRST_PAGE = `/notifications?limit=${PAGE}`;
const EVERY = 30_000;

/** Dispatches "inbox" ({detail: {data, changed}}) after each read of the first page. */
export const inbox = new EventTarget();
let last = null; // the first page as last read (JSON text), to tell a change
let timer = null;
let pushed = false; // this device receives web pushes: no polling, the worker says when
let link = null;
let reading = null;
let resuming = null; // the web push registration being renewed at start

/**
 * Read the first page now: the answer of api.get ({data, storedAt, offline}); throws as it does.
 * One read at a time: a read asked meanwhile gets the one in flight.
 */
export function read() {
  if (!reading) {
    reading = (async () => {
      const page = await get(FIRST_PAGE);
      const text = JSON.stringify(page.data);
      const changed = text !== last;
      last = text;
      showCount(page.data.unread_count);
      inbox.dispatchEvent(new CustomEvent("inbox", { detail: { data: page.data, changed } }));
      return page;
    })().finally(() => {
      reading = null;
    });
  }
  return reading;
}

/** read(), for the poller: a failure (offline, signed out) waits for the next one. */
export function refresh() {
  if (!signedIn()) return Promise.resolve(null);
  return read().catch(() => null);
}

/** Mark one notification read; the count follows. */
export async function markRead(id) {
  await sendJson("POST", `/notifications/${id}/read`);
  return refresh();
}

export async function markAllRead() {
  await sendJson("POST", "/notifications/read-all");
  return refresh();
}

function showCount(count) {
  if (!link) return;
  let badge = link.querySelector(".count");
  if (!count) {
    if (badge) badge.remove();
    return;
  }
  if (!badge) {
    badge = document.createElement("span");
    badge.className = "count";
    link.append(badge);
  }
  // Read as « Notifications, 3 non lues » by a screen reader; the figure alone on screen.
  const figure = count > 99 ? "99+" : String(count);
  badge.replaceChildren(document.createTextNode(figure), hidden(count > 1 ? " non lues" : " non lue"));
}

function hidden(text) {
  const span = document.createElement("span");
  span.className = "visually-hidden";
  span.textContent = text;
  return span;
}

function poll() {
  clearInterval(timer);
  timer = null;
  if (!pushed && signedIn()) {
    timer = setInterval(() => {
      if (document.visibilityState === "visible") refresh();
    }, EVERY);
  }
}

/** This device now receives web pushes (or no longer does): polling stops (or resumes). */
export function pushing(on) {
  if (on === pushed && (on || timer !== null)) return; // as it was: the 30 s rhythm goes on
  pushed = on;
  poll();
}

function awake() {
  if (document.visibilityState === "visible") refresh();
}

/**
 * Keep the count on `navLink` and the first page fresh from now on, while a session is open.
 * The worker tells about a push it showed ("push" message): the inbox is read at once.
 */
export function watch(navLink) {
  link = navLink;
  window.addEventListener("focus", awake);
  document.addEventListener("visibilitychange", awake);
  window.addEventListener("hashchange", started);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "push") refresh();
      // A notification clicked in the system tray: its screen (the app's own hash only).
      if (event.data && event.data.type === "open" && /^#\/[\w\-/?=&]*$/.test(event.data.hash)) {
        location.hash = event.data.hash;
      }
    });
  }
  events.addEventListener("signed-out", () => {
    clearInterval(timer);
    timer = null;
    pushed = false; // Relais retired this session's devices
    last = null;
    showCount(0);
  });
  started();
}

// After sign-in (the address changes) or on a page opened with a session: start once.
function started() {
  if (!signedIn()) return;
  openedFromPush();
  if (timer === null && !pushed && !resuming) {
    poll();
    refresh();
    // Web push allowed on this device before: registered again (a new session, a new token).
    resuming = resume().then(pushing, () => {}).finally(() => { resuming = null; });
  }
}

// A notification opened from the system tray leads to `#/factures/42?notification=7`: that
// notification is read now.
function openedFromPush() {
  const found = /[?&]notification=(\d+)/.exec(location.hash);
  if (found) markRead(found[1]).catch(() => {});
}
