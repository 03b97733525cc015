/* Sessions catalogue: the build-time list, refreshed from the API (seats, new sessions), with
   a filter by theme (the session's title: a training runs several times) and by month. */
(function () {
  'use strict';

  const R = window.Relais;
  const root = document.getElementById('relais-catalogue');
  if (!R || !root) return;
  const filters = document.querySelector('[data-relais-filtres]');
  const sessionPage = root.getAttribute('data-session-page') || '../session/';
  const chosen = { theme: R.param('theme') || '', mois: R.param('mois') || '' };
  let items = null;
  let rendered = null;
  let formHtml = null;

  function seatsText(t) {
    const left = t.seats_left;
    if (t.registration_open && left > 0) {
      const s = left > 1 ? 's' : '';
      return left + ' place' + s + ' restante' + s + ' sur ' + t.capacity;
    }
    if (t.waiting_list_open) return 'Complet : liste d\'attente ouverte';
    return left === 0 ? 'Complet' : 'Inscriptions closes';
  }

  /* « 11 h 30 », « 1 h 30 » never split over two lines (non-breaking spaces). */
  function timesKeptWhole(text) {
    return text.replace(/\b\d{1,2} h(?: \d{2})?\b/g, function (time) { return time.replace(/ /g, '\u00a0'); });
  }

  /* « mardi 8 décembre 2026, 10 h 00 – 11 h 30 ». */
  function when(part) {
    return timesKeptWhole(R.day(part.starts_at) + ', ' + R.hour(part.starts_at) + ' – ' + R.hour(part.ends_at));
  }

  function card(t) {
    const e = R.escapeHtml;
    const title = e(t.title);
    const dates = t.parts.length === 1
      ? '<dd>' + e(when(t.parts[0])) + '</dd>'
      : t.parts.map(function (p) {
        return '<dd>Séance ' + p.position + ' : ' + e(when(p)) + '</dd>';
      }).join('');
    const audiences = t.audiences.map(function (a) { return a.label; }).join(', ') || 'Tous publics';
    const actions = [];
    if (t.registration_open) {
      const label = t.seats_left > 0 ? 'S\'inscrire' : 'Rejoindre la liste d\'attente';
      actions.push('<a class="md-button md-button--primary" href="' + sessionPage + '?id=' + t.id + '">' +
        label + '<span class="relais-sr"> à la session « ' + title + ' »</span></a>');
    }
    actions.push('<a class="md-button" href="/api/v1/trainings/' + t.id + '/calendar.ics">' +
      'Ajouter à mon agenda<span class="relais-sr"> la session « ' + title + ' »</span> (iCal)</a>');
    return '<h3 id="session-' + t.id + '">' + title + '</h3>' +
      '<div class="relais-session" data-training-id="' + t.id + '"><dl>' +
      '<dt>Format</dt><dd>' + e(timesKeptWhole(t.format_label)) + '</dd>' +
      '<dt>Date</dt>' + dates +
      '<dt>Public</dt><dd>' + e(audiences) + '</dd>' +
      '<dt>Formateur</dt><dd>' + e(t.trainer_name) + '</dd>' +
      '<dt>Places</dt><dd class="relais-places">' + e(seatsText(t)) + '</dd>' +
      '</dl><p class="relais-actions">' + actions.join(' ') + '</p></div>';
  }

  function render(list) {
    if (!list.length) {
      return items.length
        ? '<p class="relais-vide">Aucune session ne correspond à ces filtres. ' +
          'Choisissez « Tous les thèmes » ou « Tous les mois » pour en voir davantage.</p>'
        : '<p class="relais-vide">Aucune session n\'est publiée pour le moment. ' +
          'Revenez bientôt : les formateurs publient leurs sessions chaque mois.</p>';
    }
    let html = '';
    let month = null;
    list.forEach(function (t) {
      const key = R.monthKey(t.starts_at);
      if (key !== month) {
        month = key;
        html += '<h2 id="mois-' + key + '">' + R.escapeHtml(R.monthLabel(t.starts_at)) + '</h2>';
      }
      html += card(t);
    });
    return html;
  }

  function matches(t) {
    return (!chosen.theme || t.title === chosen.theme) &&
      (!chosen.mois || R.monthKey(t.starts_at) === chosen.mois);
  }

  /* Options from the sessions themselves: what can be chosen always finds something. */
  function options(all, pairs) {
    const e = R.escapeHtml;
    return '<option value="">' + all + '</option>' + pairs.map(function (pair) {
      return '<option value="' + e(pair[0]) + '">' + e(pair[1]) + '</option>';
    }).join('');
  }

  function filterForm() {
    const themes = [];
    const months = [];
    items.forEach(function (t) {
      if (!themes.some(function (p) { return p[0] === t.title; })) themes.push([t.title, t.title]);
      const key = R.monthKey(t.starts_at);
      if (!months.some(function (p) { return p[0] === key; })) months.push([key, R.monthLabel(t.starts_at)]);
    });
    themes.sort(function (a, b) { return a[0].localeCompare(b[0], 'fr'); });
    return '<form class="relais-form relais-filtres__form" role="search" aria-label="Filtrer les sessions">' +
      '<div class="relais-champ"><label for="filtre-theme">Thème</label>' +
      '<select id="filtre-theme" name="theme">' + options('Tous les thèmes', themes) + '</select></div>' +
      '<div class="relais-champ"><label for="filtre-mois">Mois</label>' +
      '<select id="filtre-mois" name="mois">' + options('Tous les mois', months) + '</select></div>' +
      '</form><p class="relais-filtres__compte" role="status"></p>';
  }

  function countText(shown) {
    const total = items.length;
    const s = total > 1 ? 's' : '';
    if (shown === total) return total + ' session' + s + ' à venir.';
    return (shown || 'Aucune') + ' session' + (shown > 1 ? 's' : '') + ' sur ' + total + '.';
  }

  function draw() {
    const list = items.filter(matches);
    const html = render(list);
    if (html !== rendered) {
      rendered = html;
      root.innerHTML = html;
    }
    root.setAttribute('data-live', 'oui');
    const count = filters && filters.querySelector('.relais-filtres__compte');
    if (count && count.textContent !== countText(list.length)) count.textContent = countText(list.length);
  }

  /* Rebuilt only when the themes or months change, keeping the focus where it was. */
  function drawFilters() {
    if (!filters) return;
    const html = filterForm();
    if (html !== formHtml) {
      const focused = document.activeElement && document.activeElement.id;
      filters.innerHTML = html;
      formHtml = html;
      if (focused && focused.indexOf('filtre-') === 0) document.getElementById(focused).focus();
    }
    filters.querySelector('#filtre-theme').value = chosen.theme;
    filters.querySelector('#filtre-mois').value = chosen.mois;
    filters.hidden = false;
  }

  /* The choice goes into the address: a filtered calendar can be shared or bookmarked. */
  function remember() {
    const params = new URLSearchParams(window.location.search);
    ['theme', 'mois'].forEach(function (name) {
      if (chosen[name]) params.set(name, chosen[name]);
      else params.delete(name);
    });
    const query = params.toString();
    window.history.replaceState(null, '', window.location.pathname + (query ? '?' + query : '') + window.location.hash);
  }

  if (filters) {
    filters.addEventListener('change', function (event) {
      const name = event.target.name;
      if (name !== 'theme' && name !== 'mois') return;
      chosen[name] = event.target.value;
      remember();
      draw();
    });
  }

  async function refresh() {
    const result = await R.api('/trainings');
    if (!result.ok || !result.data) return;
    items = result.data.items;
    const gone = ['theme', 'mois'].filter(function (name) {
      return chosen[name] && !items.some(function (t) {
        return (name === 'theme' ? t.title : R.monthKey(t.starts_at)) === chosen[name];
      });
    });
    gone.forEach(function (name) { chosen[name] = ''; });
    if (gone.length) remember();
    drawFilters();
    draw();
  }

  refresh();
  window.setInterval(function () {
    if (!document.hidden) refresh();
  }, 60000);
})();
