// The API, as the app uses it: the access token in memory, one silent refresh on a 401,
// every GET revalidated with If-None-Match, and the last answers read back when offline.
import * as session from "./session.js";
import * as store from "./store.js";

const API = "/api/v1";
let access = null; // the access token: memory only
let refreshing = null; // the refresh in flight, shared by the requests that wait for it

/** Dispatches "network" ({detail: {online}}) and "signed-out" ({detail: {reason}}). */
export const events = new EventTarget();

/** No network: the request could not reach Relais. */
export class Offline extends Error {
  constructor() {
    super("Hors ligne");
  }
}

/** The session is over (signed out, refresh refused): the app shows the sign-in screen. */
export class SignedOut extends Error {}

/**
 * An answer other than 2xx/304, with the problem+json's French `detail` when there is one,
 * its `type` (urn:relais:problem:…), the fields it refuses (`invalid_params`: {name, reason})
 * and the seconds of its Retry-After.
 */
export class ApiError extends Error {
  constructor(status, detail, problem = {}, retryAfter = null) {
    super(detail || `Erreur ${status}`);
    this.status = status;
    this.type = problem.type || "about:blank";
    this.params = problem.invalid_params || [];
    this.retryAfter = retryAfter;
  }
}

export function signedIn() {
  return Boolean(session.refreshToken());
}

let online = true;
function network(now) {
  if (online !== now) {
    online = now;
    events.dispatchEvent(new CustomEvent("network", { detail: { online: now } }));
  }
}

export function isOnline() {
  return online;
}

async function reach(url, init) {
  try {
    const response = await fetch(url, { ...init, cache: "no-store", credentials: "omit" });
    network(true);
    return response;
  } catch (error) {
    // fetch rejects with a TypeError only when the network failed.
    network(false);
    throw new Offline();
  }
}

async function failure(response) {
  let problem = {};
  try {
    problem = (await response.json()) || {};
  } catch {
    // no problem+json body
  }
  const wait = Number.parseInt(response.headers.get("retry-after") || "", 10);
  return new ApiError(response.status, problem.detail, problem, Number.isNaN(wait) ? null : wait);
}

function keep(pair) {
  access = pair.access_token;
  session.keepRefreshToken(pair.refresh_token);
}

/** Sign in, with the two-factor code when the account asks for one: {me}; nothing cached
 * before belongs to this session. */
export async function login(email, password, otp = null) {
  const response = await reach(`${API}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "accept-language": "fr" },
    body: JSON.stringify(otp ? { email, password, otp } : { email, password }),
  });
  if (!response.ok) throw await failure(response);
  await store.clear();
  keep(await response.json());
  return (await get("/me")).data;
}

/** Sign out: the session is revoked at Relais when it can be reached, forgotten here anyway. */
export async function logout() {
  let reached = true;
  try {
    if (access || session.refreshToken()) await send("/auth/logout", { method: "POST" }, false);
  } catch (error) {
    reached = !(error instanceof Offline);
  }
  await endSession("logout");
  return reached;
}

async function endSession(reason) {
  access = null;
  session.forget();
  await store.clear();
  events.dispatchEvent(new CustomEvent("signed-out", { detail: { reason } }));
}

/** The account is gone (deleted): forget its session here, with nothing to tell Relais. */
export async function forgetSession() {
  await endSession("account-deleted");
}

/** Trade the refresh token for a new pair, once for all the requests waiting on it. */
function refresh() {
  if (!refreshing) {
    refreshing = (async () => {
      const token = session.refreshToken();
      if (!token) throw new SignedOut();
      const response = await reach(`${API}/auth/refresh`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refresh_token: token }),
      });
      if (response.status === 401) {
        await endSession("expired");
        throw new SignedOut();
      }
      if (!response.ok) throw await failure(response);
      keep(await response.json());
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

/** A request with the access token; after a reload the token is first taken again. */
async function send(path, init = {}, retry = true) {
  if (!access) await refresh();
  const used = access;
  const headers = { ...(init.headers || {}), authorization: `Bearer ${used}`, "accept-language": "fr" };
  const response = await reach(API + path, { ...init, headers });
  if (response.status === 401 && (await refusesTheCode(response))) return response;
  if (response.status === 401 && retry) {
    // Expired or revoked: one silent refresh (unless a request beside this one already got
    // a new token meanwhile), then the request once more.
    if (access === used) access = null;
    return send(path, init, false);
  }
  if (response.status === 401) {
    await endSession("expired");
    throw new SignedOut();
  }
  return response;
}

/** A 401 that refuses a two-factor code (turning it on or off) leaves the session open. */
async function refusesTheCode(response) {
  try {
    return (await response.clone().json()).type === "urn:relais:problem:two-factor-invalid";
  } catch {
    return false;
  }
}

/**
 * A GET revalidated against the last answer: {data, storedAt, offline}.
 * 304: the kept answer, confirmed now. No network: the kept answer, marked offline.
 */
export async function get(path) {
  const url = API + path;
  const since = store.generation(); // an answer arriving after a sign-out is not kept
  const kept = await store.read(url);
  let response;
  try {
    response = await send(path, kept && kept.etag ? { headers: { "if-none-match": kept.etag } } : {});
  } catch (error) {
    if (error instanceof Offline && kept) return { data: kept.body, storedAt: kept.storedAt, offline: true };
    throw error;
  }
  const now = new Date().toISOString();
  if (response.status === 304 && kept) {
    await store.write(url, { ...kept, storedAt: now }, since);
    return { data: kept.body, storedAt: now, offline: false };
  }
  if (!response.ok) throw await failure(response);
  const data = await response.json();
  await store.write(url, { etag: response.headers.get("etag"), body: data, storedAt: now }, since);
  return { data, storedAt: now, offline: false };
}

/** A change sent with the session (POST, PUT, DELETE; never cached): the answer's JSON, or
 * null when it has none (204). */
export async function change(method, path, body = undefined) {
  const init = { method };
  if (body !== undefined) {
    init.headers = { "content-type": "application/json" };
    init.body = JSON.stringify(body);
  }
  return answer(await send(path, init));
}

/** A request that needs no session (sign-up, forgotten password): the answer's JSON. */
export async function anonymous(method, path, body) {
  const response = await reach(API + path, {
    method,
    headers: { "content-type": "application/json", "accept-language": "fr" },
    body: JSON.stringify(body),
  });
  return answer(response);
}

async function answer(response) {
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : response.json();
}

/** A file to download (never cached): {blob, filename}. */
export async function download(path) {
  const response = await send(path);
  if (!response.ok) throw await failure(response);
  const disposition = response.headers.get("content-disposition") || "";
  const filename = (/filename="([^"]+)"/.exec(disposition) || [])[1] || "document";
  return { blob: await response.blob(), filename };
}

/** Query string from an object; lists repeat their key, empty values are left out. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const item of [].concat(value)) {
      if (item !== null && item !== undefined && item !== "" && item !== false) search.append(key, item);
    }
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/**
 * A request that changes something (POST, PUT, DELETE), with a JSON body when given: the
 * answer's JSON, or null (204). Never kept; offline it throws Offline, which the screens say.
 */
export async function sendJson(method, path, body) {
  const init = { method, headers: body === undefined ? {} : { "content-type": "application/json" } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await send(path, init);
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : response.json();
}
