// The app's service worker: it keeps the app's own files for offline use (the API's answers
// are kept by the app itself, js/store.js, and never pass through here).
//
// The server writes the file list and a version hashed from the files' contents in place of
// the line below (backend/webapp/routes.py): any changed file makes a new worker, which
// fetches the new files while the old ones keep serving, then takes over.
const MANIFEST = {"version": "dev", "files": []}; // replaced when served
const SHELL = `relais-app-${MANIFEST.version}`;
const INDEX = "/app/";

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    // "reload": past the HTTP cache, so the copies kept are the new version's.
    await cache.addAll(MANIFEST.files.map((url) => new Request(url, { cache: "reload" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("relais-app-") && name !== SHELL) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (event.request.mode === "navigate" && url.pathname.startsWith(INDEX)) {
    // Every screen is the one page (the route is in the #): the kept copy, or the network.
    event.respondWith(fromCache(INDEX, event.request));
  } else if (url.pathname.startsWith(INDEX) && url.pathname !== `${INDEX}sw.js`) {
    event.respondWith(fromCache(url.pathname, event.request));
  }
  // Anything else (the API, the community site) goes to the network as if we were not here.
});

async function fromCache(key, request) {
  const cache = await caches.open(SHELL);
  const kept = await cache.match(key);
  return kept || fetch(request);
}

// Web push (FCM): show the notification the payload describes, then tell the open windows so
// their inbox is read at once. FCM's web payload: {notification: {title, body, tag},
// data: {…, link}, fcmOptions: {link}} (the link is also in `data`: FCM keeps only https links
// in fcmOptions).
self.addEventListener("push", (event) => {
  event.waitUntil(showPush(readPayload(event.data)));
});

function readPayload(data) {
  if (!data) return {};
  try {
    return data.json() || {};
  } catch {
    return { notification: { body: data.text() } };
  }
}

async function showPush(payload) {
  const note = payload.notification || {};
  const data = payload.data || {};
  const tag = note.tag || "";
  await self.registration.showNotification(note.title || data.title || "Relais", {
    body: note.body || data.body || "",
    tag: tag || undefined,
    renotify: Boolean(tag), // a newer status of the same invoice replaces the last one, and says so
    lang: "fr",
    icon: `${INDEX}icons/icon-192.png`,
    data: { link: linkOf(payload) },
  });
  for (const client of await self.clients.matchAll({ type: "window" })) client.postMessage({ type: "push" });
}

/** The app's address the notification opens: the invoice, or the inbox; never elsewhere. */
function linkOf(payload) {
  const data = payload.data || {};
  const candidates = [payload.fcmOptions && payload.fcmOptions.link, data.link];
  if (/^\d+$/.test(data.invoice_id || "")) candidates.push(`${INDEX}#/factures/${data.invoice_id}`);
  for (const candidate of candidates) {
    if (!candidate) continue;
    let url;
    try {
      url = new URL(candidate, self.location.origin);
    } catch {
      continue;
    }
    if (url.origin !== self.location.origin || url.pathname !== INDEX || !url.hash.startsWith("#/")) continue;
    // The screen opened marks that notification read (js/inbox.js).
    if (/^\d+$/.test(data.notification_id || "")) {
      url.hash += `${url.hash.includes("?") ? "&" : "?"}notification=${data.notification_id}`;
    }
    return url.pathname + url.hash;
  }
  return `${INDEX}#/notifications`;
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openFromNotification(event.notification));
});

/** An open window of the app goes to the link (and comes forward); otherwise a new one opens. */
async function openFromNotification(notification) {
  const link = (notification.data && notification.data.link) || `${INDEX}#/notifications`;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((client) => new URL(client.url).pathname === INDEX);
  if (!open) return self.clients.openWindow(link);
  open.postMessage({ type: "open", hash: new URL(link, self.location.origin).hash });
  try {
    await open.focus();
  } catch {
    // Only a real click may bring a window forward; the window went to the link all the same.
  }
  return open;
}
