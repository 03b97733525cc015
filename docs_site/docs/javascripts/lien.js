/* Pages opened from an e-mail link (?jeton=…): preview, then confirm or cancel with a button.
   Each state is said once, in words that fit it (a seat or the waiting list). */
(function () {
  'use strict';

  const R = window.Relais;
  const root = document.querySelector('.relais-lien');
  if (!R || !root) return;
  const action = root.getAttribute('data-action');
  const kind = root.getAttribute('data-kind');
  const state = root.querySelector('[data-lien-etat]');
  const detail = root.querySelector('[data-lien-detail]');
  const buttonRow = root.querySelector('[data-lien-bouton]');
  const button = buttonRow.querySelector('button');
  const out = root.querySelector('[data-lien-resultat]');
  const next = document.createElement('div');
  next.setAttribute('data-lien-suite', '');
  next.hidden = true;
  out.insertAdjacentElement('afterend', next);
  const token = R.param('jeton');
  const e = R.escapeHtml;
  const ENDPOINTS = {
    registration: { confirm: '/registrations/confirm', cancel: '/registrations/cancel' },
    newsletter: { confirm: '/newsletter/confirm', unsubscribe: '/newsletter/unsubscribe' }
  };
  /* The newsletter's answers say it in the API's words; one sentence each is enough here. */
  const NEWSLETTER = {
    confirm: {
      ask: 'Cliquez sur le bouton pour confirmer votre abonnement.',
      done: 'Abonnement confirmé : vous recevrez la prochaine lettre d\'information à cette adresse.'
    },
    unsubscribe: {
      ask: 'Cliquez sur le bouton pour ne plus recevoir la lettre d\'information.',
      done: 'Désabonnement enregistré : vous ne recevrez plus la lettre d\'information.'
    }
  };

  function sessionSummary(t) {
    const dates = t.parts.map(function (p) { return '<li>' + e(R.when(p)) + '</li>'; }).join('');
    return '<p><strong>' + e(t.title) + '</strong> — ' + e(t.format_label) + '</p>' +
      '<ul>' + dates + '</ul>';
  }

  function page(t) { return '/formations/session/?id=' + t.id; }

  /* What follows a state: the calendar file, or where to sign up again. */
  function followUp(reg) {
    const t = reg.training;
    if (reg.state === 'confirmed') {
      return '<p><a class="md-button md-button--primary" href="/api/v1/trainings/' + t.id + '/calendar.ics" download>' +
        'Ajouter à mon agenda</a></p>';
    }
    if (reg.state !== 'cancelled' && reg.state !== 'expired') return '';
    if (t.registration_open && t.seats_left > 0) {
      return '<p>Il reste ' + e(R.plural(t.seats_left, 'place', 'places')) + ' : vous pouvez vous ' +
        '<a href="' + page(t) + '">réinscrire depuis la page de la session</a>.</p>';
    }
    if (t.waiting_list_open) {
      return '<p>La session est complète : vous pouvez encore <a href="' + page(t) + '">rejoindre sa liste d\'attente</a>.</p>';
    }
    return '<p>Les inscriptions à cette session sont closes : retrouvez les autres dates dans le ' +
      '<a href="/formations/calendrier/">calendrier des sessions</a>.</p>';
  }

  function showNext(html) {
    next.innerHTML = html;
    next.hidden = !html;
  }

  /* Before the click: what the link is about, and the button worded for it. */
  function ask(reg) {
    const waiting = reg.state === 'waiting';
    if (action === 'cancel') {
      button.textContent = waiting ? 'Quitter la liste d\'attente' : 'Annuler mon inscription';
      return waiting
        ? 'Cliquez sur le bouton pour quitter la liste d\'attente de cette session.'
        : 'Cliquez sur le bouton pour annuler votre inscription à cette session.';
    }
    if (waiting) {
      button.textContent = 'Confirmer ma place sur la liste d\'attente';
      return 'La session est complète : cliquez sur le bouton pour confirmer votre place sur sa liste d\'attente.';
    }
    return 'Une place vous est réservée : cliquez sur le bouton pour confirmer votre inscription.';
  }

  async function start() {
    if (!token) {
      R.say(state, 'Le lien est incomplet : copiez l\'adresse entière depuis l\'e-mail reçu.', 'erreur');
      return;
    }
    if (kind === 'newsletter') {
      R.say(state, NEWSLETTER[action].ask);
      buttonRow.hidden = false;
      return;
    }
    const preview = await R.api('/registrations/preview', { method: 'POST', body: { token: token } });
    if (!preview.ok) {
      R.say(state, R.problemMessage(preview), 'erreur');
      return;
    }
    const reg = preview.data;
    detail.innerHTML = sessionSummary(reg.training);
    detail.hidden = false;
    const closed = reg.state === 'cancelled' || reg.state === 'expired';
    if (closed) {
      R.say(state, reg.message, 'erreur');
      showNext(followUp(reg));
      return;
    }
    /* Nothing left to confirm: the address was confirmed already (a seat or the queue). */
    if (action === 'confirm' && reg.email_confirmed) {
      R.say(state, reg.state === 'confirmed' ? 'Votre inscription est déjà confirmée.' : reg.message, 'succes');
      showNext(followUp(reg));
      return;
    }
    R.say(state, ask(reg));
    buttonRow.hidden = false;
  }

  button.addEventListener('click', async function () {
    button.disabled = true;
    R.say(out, 'Envoi en cours…');
    const result = await R.api(ENDPOINTS[kind][action], { method: 'POST', body: { token: token } });
    button.disabled = false;
    if (!result.ok) {
      R.say(out, R.problemMessage(result), 'erreur');
      out.focus();
      return;
    }
    buttonRow.hidden = true;
    R.say(state, '');
    R.say(out, kind === 'newsletter' ? NEWSLETTER[action].done : result.data.message, 'succes');
    if (kind === 'registration') showNext(followUp(result.data));
    out.focus();
  });

  start();
})();
