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

  if (action === 'invitation') {
    invitation();
    return;
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

  /* An invitation: read it, then create the account from it, or accept it with the existing
     account of the invited address (its password, and its code if two-factor is on). The
     login made for that is closed at once: the page keeps no session. */
  async function invitation() {
    const state = root.querySelector('[data-compte-etat]');
    if (!token) {
      R.say(state, 'Le lien est incomplet : copiez l\'adresse entière depuis l\'e-mail reçu.', 'erreur');
      return;
    }
    const preview = await R.api('/invitations/preview', { method: 'POST', body: { token: token } });
    if (!preview.ok) {
      R.say(state, R.problemMessage(preview), 'erreur');
      return;
    }
    const offer = preview.data;
    const services = offer.services.length
      ? ' Vous verrez les factures de ces services\u00a0: ' + offer.services.map(function (s) { return s.name; }).join(', ') + '.'
      : '';
    R.say(state, (offer.invited_by ? offer.invited_by + ' vous invite' : 'Vous êtes invité') +
      ' à rejoindre ' + offer.structure.name + ' avec le rôle «\u00a0' + offer.role_label.toLowerCase() +
      '\u00a0» (' + offer.email + ').' + services);
    /* The same invitation in the app (#/invitation?jeton=…), signed in there or not. */
    const inApp = root.querySelector('[data-ouvrir-app]');
    inApp.querySelector('a').href = '/app/#/invitation?jeton=' + encodeURIComponent(token);
    inApp.hidden = false;
    const form = document.getElementById(offer.account_exists ? 'form-compte-existant' : 'form-nouveau-compte');
    form.hidden = false;
    form.addEventListener('submit', async function (event) {
      event.preventDefault();
      R.clearErrors(form);
      const button = form.querySelector('button');
      button.disabled = true;
      R.say(out, 'Envoi en cours…');
      const result = offer.account_exists ? await withAccount(form, offer.email) : await R.api(
        '/invitations/sign-up',
        { method: 'POST', body: {
          token: token,
          full_name: form.elements.namedItem('full_name').value.trim(),
          password: form.elements.namedItem('password').value
        } }
      );
      button.disabled = false;
      if (result.status === 422 && R.showFieldErrors(form, result)) {
        R.say(out, '');
        return;
      }
      if (done(result)) {
        form.hidden = true;
        R.say(state, '');
      }
    });
  }

  async function withAccount(form, email) {
    const code = form.querySelector('[data-code]');
    const body = { email: email, password: form.elements.namedItem('password').value };
    const otp = form.elements.namedItem('otp').value.trim();
    if (otp) body.otp = otp;
    const login = await R.api('/auth/login', { method: 'POST', body: body });
    if (!login.ok) {
      if (login.data && login.data.type === 'urn:relais:problem:two-factor-required') code.hidden = false;
      return login;
    }
    const access = login.data.access_token;
    const accepted = await R.api('/invitations/accept', { method: 'POST', body: { token: token }, token: access });
    await R.api('/auth/logout', { method: 'POST', token: access });
    return accepted;
  }
})();
