/* Sessions catalogue: the build-time list, refreshed from the API (seats, new sessions). */
(function () {
  'use strict';

  const R = window.Relais;
  const root = document.getElementById('relais-catalogue');
  if (!R || !root) return;
  const sessionPage = root.getAttribute('data-session-page') || '../session/';
  let rendered = null;

  function seatsText(t) {
    const left = t.seats_left;
    if (t.registration_open && left > 0) {
      const s = left > 1 ? 's' : '';
      return left + ' place' + s + ' restante' + s + ' sur ' + t.capacity;
    }
    if (t.waiting_list_open) return 'Complet : liste d\'attente ouverte';
    return left === 0 ? 'Complet' : 'Inscriptions closes';
  }

  function card(t) {
    const e = R.escapeHtml;
    const title = e(t.title);
    const dates = t.parts.length === 1
      ? '<dd>' + e(R.when(t.parts[0])) + '</dd>'
      : t.parts.map(function (p) {
        return '<dd>Séance ' + p.position + ' : ' + e(R.when(p)) + '</dd>';
      }).join('');
    const audiences = t.audiences.map(function (a) { return a.label; }).join(', ') || 'Tous publics';
    const actions = [];
    if (t.registration_open) {
      const label = t.seats_left > 0 ? 'S\'inscrire' : 'Rejoindre la liste d\'attente';
      actions.push('<a class="md-button md-button--primary" href="' + sessionPage + '?id=' + t.id + '">' +
        label + '<span class="relais-sr"> à la session « ' + title + ' »</span></a>');
    }
    actions.push('<a class="md-button" href="/api/v1/trainings/' + t.id + '/calendar.ics">' +
      'Ajouter à mon agenda<span class="relais-sr"> la session « ' + title + ' »</span> (iCal)</a>');
    return '<h3 id="session-' + t.id + '">' + title + '</h3>' +
      '<div class="relais-session" data-training-id="' + t.id + '"><dl>' +
      '<dt>Format</dt><dd>' + e(t.format_label) + '</dd>' +
      '<dt>Date</dt>' + dates +
      '<dt>Public</dt><dd>' + e(audiences) + '</dd>' +
      '<dt>Formateur</dt><dd>' + e(t.trainer_name) + '</dd>' +
      '<dt>Places</dt><dd class="relais-places">' + e(seatsText(t)) + '</dd>' +
      '</dl><p class="relais-actions">' + actions.join(' ') + '</p></div>';
  }

  function render(items) {
    if (!items.length) {
      return '<p class="relais-vide">Aucune session n\'est publiée pour le moment. ' +
        'Revenez bientôt : les formateurs publient leurs sessions chaque mois.</p>';
    }
    let html = '';
    let month = null;
    items.forEach(function (t) {
      const key = R.monthKey(t.starts_at);
      if (key !== month) {
        month = key;
        html += '<h2 id="mois-' + key + '">' + R.escapeHtml(R.monthLabel(t.starts_at)) + '</h2>';
      }
      html += card(t);
    });
    return html;
  }

  async function refresh() {
    const result = await R.api('/trainings');
    if (!result.ok || !result.data) return;
    const html = render(result.data.items);
    if (html === rendered) return;
    rendered = html;
    root.innerHTML = html;
    root.setAttribute('data-live', 'oui');
  }

  refresh();
  window.setInterval(function () {
    if (!document.hidden) refresh();
  }, 60000);
})();
