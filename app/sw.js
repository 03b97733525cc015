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
