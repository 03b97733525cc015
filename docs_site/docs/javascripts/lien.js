/* Pages opened from an e-mail link (?jeton=…): preview, then confirm or cancel with a button. */
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
  const token = R.param('jeton');
  const ENDPOINTS = {
    registration: { confirm: '/registrations/confirm', cancel: '/registrations/cancel' },
    newsletter: { confirm: '/newsletter/confirm', unsubscribe: '/newsletter/unsubscribe' }
  };
  const DONE = {
    'registration:confirm': 'Inscription confirmée',
    'registration:cancel': 'Inscription annulée',
    'newsletter:confirm': 'Abonnement confirmé',
    'newsletter:unsubscribe': 'Désabonnement enregistré'
  };

  function sessionSummary(t) {
    const e = R.escapeHtml;
    const dates = t.parts.map(function (p) { return '<li>' + e(R.when(p)) + '</li>'; }).join('');
    return '<p><strong>' + e(t.title) + '</strong> — ' + e(t.format_label) + '</p>' +
      '<ul>' + dates + '</ul>';
  }

  async function start() {
    if (!token) {
      R.say(state, 'Le lien est incomplet : copiez l\'adresse entière depuis l\'e-mail reçu.', 'erreur');
      return;
    }
    if (kind === 'newsletter') {
      R.say(state, action === 'confirm'
        ? 'Cliquez sur le bouton pour confirmer votre abonnement.'
        : 'Cliquez sur le bouton pour ne plus recevoir la lettre d\'information.');
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
    /* A waiting registration may or may not be confirmed yet: confirming again is harmless. */
    if (action === 'confirm' && reg.state === 'confirmed') {
      R.say(state, 'Votre adresse est déjà confirmée. ' + reg.message, 'succes');
      return;
    }
    if (closed) {
      R.say(state, reg.message + ' Vous pouvez vous réinscrire depuis le calendrier des sessions.', 'erreur');
      return;
    }
    R.say(state, action === 'confirm'
      ? 'Cliquez sur le bouton pour confirmer votre inscription à cette session.'
      : 'Cliquez sur le bouton pour annuler votre inscription à cette session.');
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
    let text = DONE[kind + ':' + action] + '. ' + result.data.message;
    if (result.data.waiting_rank) {
      text += ' Votre rang sur la liste d\'attente : ' + result.data.waiting_rank + '.';
    }
    R.say(out, text, 'succes');
    out.focus();
  });

  start();
})();
