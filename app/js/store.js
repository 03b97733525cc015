// The last answer to each GET, kept for revalidation (If-None-Match) and for offline reading.
// Kept in the Cache Storage, apart from the app's own files (sw.js); erased at sign-out and
// whenever no session is open, so nothing of a supplier's data outlives their session.
const CACHE = "relais-donnees";
const STORED_AT = "x-relais-stocke-le";
const memory = new Map(); // where the Cache Storage is missing (private windows of some browsers)
let cleared = 0; // how many times clear() ran: a request started before the last one keeps nothing

/** The store's generation now; pass it to write() from the request it began. */
export function generation() {
  return cleared;
}

async function open() {
  try {
    return self.caches ? await caches.open(CACHE) : null;
  } catch {
    return null;
  }
}

/** {etag, body, storedAt} or null. */
export async function read(url) {
  let found;
  try {
    // caches.match does not create the cache (caches.open would, even right after a sign-out).
    if (!self.caches) return memory.get(url) || null;
    found = await caches.match(url, { cacheName: CACHE });
  } catch {
    return memory.get(url) || null;
  }
  if (!found) return null;
  return { etag: found.headers.get("etag"), storedAt: found.headers.get(STORED_AT), body: await found.json() };
}

export async function write(url, entry, since) {
  if (since !== cleared) return;
  const cache = await open();
  if (since !== cleared) return; // cleared while the cache was opening
  if (!cache) {
    memory.set(url, entry);
    return;
  }
  const headers = { "content-type": "application/json", etag: entry.etag || "", [STORED_AT]: entry.storedAt };
  await cache.put(url, new Response(JSON.stringify(entry.body), { headers }));
}

export async function clear() {
  cleared += 1;
  memory.clear();
  try {
    if (self.caches) await caches.delete(CACHE);
  } catch {
    // nothing stored
  }
}
