// Where the login lives.
//
// The access token (10 minutes) is kept in memory only (api.js): gone with the page.
//
// The refresh token (30 days, rotated at each use, a replayed one ends the session) is kept in
// sessionStorage, the storage a web app has with the least exposure while the API hands the
// token to JavaScript:
// - any script-readable storage (localStorage, IndexedDB, sessionStorage) is open to a script
//   injected into the page; the pages' Content-Security-Policy (backend/security.py) runs only
//   our own files, and `connect-src 'self'` keeps a stolen token from being posted elsewhere;
// - of those, sessionStorage is the narrowest: it belongs to this tab (or this installed app's
//   window) alone — the community site, served from the same origin, cannot read it from its
//   own tabs — and it is erased when the tab or app is closed, instead of lying on the disk
//   for 30 days. It survives a reload, so a reload (online or offline) keeps the session.
// The price: closing the app signs out. An HttpOnly cookie set by the API (path
// /api/v1/auth/) would keep the token away from scripts entirely and survive a restart; it
// needs the API to send and read that cookie, which is not offered yet.
const KEY = "relais.refresh";

export function refreshToken() {
  return sessionStorage.getItem(KEY);
}

export function keepRefreshToken(token) {
  sessionStorage.setItem(KEY, token);
}

export function forget() {
  sessionStorage.removeItem(KEY);
}
