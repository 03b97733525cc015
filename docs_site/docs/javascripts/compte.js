/* Pages opened from an account e-mail (?jeton=…): activate the account, confirm a new
   address, choose a new password, or ask for a reset link. Nothing happens on GET: a click
   sends the token with a POST (mail scanners open links). */
(function () {
  'use strict';

  const R = window.Relais;
  const root = document.querySelector('.relais-compte');
  if (!R || !root) return;
  const action = root.getAttribute('data-action');
  const token = R.param('jeton');
  const out = root.querySelector('[data-compte-resultat]');

  function done(result, success) {
    if (!result.ok) {
      R.say(out, R.problemMessage(result), 'erreur');
    } else {
      R.say(out, success || result.data.message, 'succes');
    }
    out.focus();
    return result.ok;
  }

  const ENDPOINTS = { activer: '/accounts/confirm', adresse: '/accounts/email/confirm' };
  if (ENDPOINTS[action]) {
    const state = root.querySelector('[data-compte-etat]');
    const row = root.querySelector('[data-compte-bouton]');
    const button = row.querySelector('button');
    if (!token) {
      R.say(state, 'Le lien est incomplet : copiez l\'adresse entière depuis l\'e-mail reçu.', 'erreur');
      row.hidden = true;
      return;
    }
    button.addEventListener('click', async function () {
      button.disabled = true;
      R.say(out, 'Envoi en cours…');
      const result = await R.api(ENDPOINTS[action], { method: 'POST', body: { token: token } });
      button.disabled = false;
      if (done(result)) {
        row.hidden = true;
        R.say(state, '');
      }
    });
    return;
  }

  /* Forgotten password: without a token, ask for a link; with one, choose the password. */
  const ask = document.getElementById('form-demande');
  const choose = document.getElementById('form-nouveau');
  const form = token ? choose : ask;
  form.hidden = false;
  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    R.clearErrors(form);
    const button = form.querySelector('button');
    button.disabled = true;
    R.say(out, 'Envoi en cours…');
    const body = token
      ? { token: token, password: form.elements.namedItem('password').value }
      : { email: form.elements.namedItem('email').value.trim() };
    const path = token ? '/accounts/password-reset/confirm' : '/accounts/password-reset';
    const result = await R.api(path, { method: 'POST', body: body });
    button.disabled = false;
    if (result.status === 422 && R.showFieldErrors(form, result)) {
      R.say(out, '');
      return;
    }
    if (done(result)) form.hidden = true;
  });
})();
