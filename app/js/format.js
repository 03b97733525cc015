// Numbers, amounts and dates as a French reader expects them (times shown in Paris time).
const ZONE = "Europe/Paris";
const euro = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
const integer = new Intl.NumberFormat("fr-FR");
const longDay = new Intl.DateTimeFormat("fr-FR", { day: "numeric", month: "long", year: "numeric", timeZone: ZONE });
const shortDay = new Intl.DateTimeFormat("fr-FR", { day: "numeric", month: "short", timeZone: ZONE });
const dayAndTime = new Intl.DateTimeFormat("fr-FR", {
  day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: ZONE,
});

/** "1 234,56 €"; an absent amount is a dash. */
export function euros(value) {
  return value === null || value === undefined ? "—" : euro.format(Number(value));
}

export function number(value) {
  return integer.format(value);
}

// A calendar day (YYYY-MM-DD) is read at noon UTC: the same day in Paris, whatever the offset.
function asDate(value) {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00Z`) : new Date(value);
}

/** "6 décembre 2026". */
export function day(value) {
  return value ? longDay.format(asDate(value)) : "—";
}

/** "6 déc." — for tight places. */
export function shortDate(value) {
  return value ? shortDay.format(asDate(value)) : "—";
}

/** "6 décembre 2026 à 11:05". */
export function dateTime(value) {
  return value ? dayAndTime.format(asDate(value)) : "—";
}

/** "1 facture", "12 factures". */
export function plural(count, one, many) {
  return `${number(count)} ${Math.abs(count) < 2 ? one : many}`;
}

/** "dans 3 jours", "aujourd'hui", "depuis 4 jours". */
export function inDays(days) {
  if (days === 0) return "aujourd'hui";
  if (days > 0) return `dans ${plural(days, "jour", "jours")}`;
  return `depuis ${plural(-days, "jour", "jours")}`;
}

/** Today in Paris, as YYYY-MM-DD. */
export function todayInParis() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: ZONE }).format(new Date());
}
