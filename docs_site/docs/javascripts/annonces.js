/* The announcement bar: current and upcoming maintenances and incidents, the soonest on one
   line and all of them in its disclosure; each can be dismissed (remembered in this browser,
   per notice and window); a notice published while the page is open shows up within a minute.
   Same markup as docs_site/hooks/relais_pages/annonces.py renders at build time. */
(function () {
  'use strict';

  const R = window.Relais;
  const root = document.querySelector('[data-relais-annonces]');
  if (!R || !root) return;
  const POLL_MS = 30000;
  const STORE = 'relais-annonces-masquees';
  const SHOWN = ['maintenance', 'incident'];
  const SHORT = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: 'numeric', month: 'short' });
  const YMD = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit'
  });
  const CLOSE = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" aria-hidden="true" ' +
    'focusable="false"><path d="M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 ' +
    '6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z"/></svg>';
  const e = R.escapeHtml;
  // Notices in the built bar: their news posts exist (a newer one's comes with the next build).
  const built = Array.prototype.map.call(root.querySelectorAll('[data-annonce]'), function (node) {
    return node.getAttribute('data-annonce');
  });
  let dismissed = stored();
  let items = null;
  let etag = null;
  let drawn = null;

  function stored() {
    try {
      const list = JSON.parse(window.localStorage.getItem(STORE) || '[]');
      return Array.isArray(list) ? list : [];
    } catch (err) {
      return [];
    }
  }

  function remember() {
    try {
      window.localStorage.setItem(STORE, JSON.stringify(dismissed));
    } catch (err) { /* storage refused: the dismissal lasts while the page is open */ }
  }

  function minutes(value) {
    return value ? String(Math.floor(Date.parse(value) / 60000)) : '';
  }

  /* The notice and its window: a maintenance moved to another time shows again. */
  function key(a) {
    return [a.id, minutes(a.window_starts_at), minutes(a.window_ends_at)].join(':');
  }

  function shortHour(value) {
    const text = R.hour(value);
    return text.slice(-3) === ' 00' ? text.slice(0, -3) : text;
  }

  function shortDay(value) {
    const p = {};
    SHORT.formatToParts(new Date(value)).forEach(function (part) { p[part.type] = part.value; });
    return (p.day === '1' ? '1er' : p.day) + ' ' + p.month;
  }

  function shortMoment(value) {
    return shortDay(value) + ', ' + shortHour(value);
  }

  function lineWhen(a) {
    const start = a.window_starts_at;
    const end = a.window_ends_at;
    if (!start || !end) return '';
    const sameDay = R.day(start) === R.day(end);
    if (a.in_progress) return sameDay ? 'jusqu\'à ' + shortHour(end) : 'jusqu\'au ' + shortMoment(end);
    return shortMoment(start) + ' – ' + (sameDay ? shortHour(end) : shortMoment(end));
  }

  function detailWhen(a) {
    const start = a.window_starts_at;
    const end = a.window_ends_at;
    if (!start || !end) return 'signalé le ' + R.day(a.published_at) + ' à ' + R.hour(a.published_at);
    const text = R.day(start) === R.day(end)
      ? R.day(start) + ', de ' + R.hour(start) + ' à ' + R.hour(end)
      : 'du ' + R.day(start) + ' à ' + R.hour(start) + ' au ' + R.day(end) + ' à ' + R.hour(end);
    return text + ' (heure de Paris)';
  }

  function label(a) {
    return a.category_label + (a.in_progress ? ' en cours' : '');
  }

  function postUrl(a) {
    return '/actualites/' + YMD.format(new Date(a.published_at)).replace(/-/g, '/') +
      '/maintenance-' + a.id + '/';
  }

  function item(a) {
    const title = e(a.title);
    const body = (a.body || '').split(/\n\s*\n/).map(function (part) { return part.trim(); })
      .filter(Boolean)
      .map(function (part) { return '<p class="relais-annonces__texte-long">' + e(part) + '</p>'; })
      .join('');
    const posted = built.some(function (k) { return k.split(':')[0] === String(a.id); });
    const link = a.category === 'maintenance' && posted
      ? '<a href="' + postUrl(a) + '">Lire l\'actualité<span class="relais-sr"> « ' + title + ' »</span></a> '
      : '';
    return '<li data-annonce="' + key(a) + '">' +
      '<p><strong>' + e(label(a)) + '</strong> — ' + e(detailWhen(a)) + '</p>' +
      '<p class="relais-annonces__titre">' + title + '</p>' + body +
      '<p class="relais-annonces__actions">' + link +
      '<button type="button" class="relais-annonces__masquer" data-masquer="' + key(a) + '">' +
      'Masquer cette annonce<span class="relais-sr"> « ' + title + ' »</span></button></p></li>';
  }

  function render(list) {
    const first = list[0];
    const others = list.length - 1;
    const when = lineWhen(first);
    const more = others
      ? '<span class="relais-annonces__autres">et ' + others + ' autre' + (others > 1 ? 's' : '') + '</span>'
      : '';
    const text = '<strong>' + e(label(first)) + '</strong>' + (when ? ' ' + e(when) : '') +
      '\u00a0: ' + e(first.title);
    return '<details class="relais-annonces__details">' +
      '<summary class="relais-annonces__ligne" data-relais-maintenance>' +
      '<span class="relais-annonces__texte">' + text + '</span>' + more + '</summary>' +
      '<ul class="relais-annonces__liste">' + list.map(item).join('') + '</ul></details>' +
      '<button type="button" class="relais-annonces__fermer" data-masquer="' + key(first) + '" ' +
      'title="Masquer cette annonce">' + CLOSE +
      '<span class="relais-sr">Masquer l\'annonce « ' + e(first.title) + ' »</span></button>';
  }

  function draw() {
    const visible = items.filter(function (a) { return dismissed.indexOf(key(a)) === -1; });
    const html = visible.length ? render(visible) : '';
    root.hidden = !visible.length;
    root.setAttribute('data-live', 'oui');
    if (html === drawn) return;
    const open = root.querySelector('details[open]') !== null;
    root.innerHTML = html;
    drawn = html;
    if (open && visible.length) root.querySelector('details').open = true;
  }

  async function refresh() {
    const result = await R.api('/announcements', { headers: etag ? { 'If-None-Match': etag } : {} });
    if (!result.ok || !result.data) return; // 304: nothing new; an error keeps what is shown
    etag = result.headers.get('ETag');
    items = result.data.items.filter(function (a) { return SHOWN.indexOf(a.category) !== -1; });
    const current = items.map(key);
    dismissed = dismissed.filter(function (k) { return current.indexOf(k) !== -1; });
    remember();
    draw();
  }

  /* Keyboard users keep their place: the next notice's button, or the page's title. */
  function refocus() {
    const next = root.hidden ? document.querySelector('h1') : root.querySelector('.relais-annonces__fermer');
    if (!next) return;
    if (next.tagName === 'H1') next.setAttribute('tabindex', '-1');
    next.focus();
  }

  root.addEventListener('click', function (event) {
    const button = event.target.closest('[data-masquer]');
    if (!button) return;
    dismissed.push(button.getAttribute('data-masquer'));
    remember();
    if (items) draw();
    else root.hidden = true; // before the API answered: the built bar has no data to redraw
    refocus();
  });

  /* The built bar: its buttons work with JavaScript; a bar dismissed in full stays hidden. */
  if (built.length && built.every(function (k) { return dismissed.indexOf(k) !== -1; })) root.hidden = true;
  root.querySelectorAll('[data-masquer]').forEach(function (node) { node.hidden = false; });

  refresh();
  window.setInterval(function () {
    if (!document.hidden) refresh();
  }, POLL_MS);
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden) refresh();
  });
})();
