/* Session page and sign-up form; newsletter form. Every API answer gets a French message. */
(function () {
  'use strict';

  const R = window.Relais;
  if (!R) return;

  /* A form token is asked when the form is shown; sending sooner than min_seconds is dropped. */
  async function formToken() {
    const result = await R.api('/forms/token');
    if (!result.ok) return null;
    return {
      value: result.data.form_token,
      ready: Date.now() + result.data.min_seconds * 1000
    };
  }

  function sleepUntil(moment) {
    const wait = moment - Date.now();
    return new Promise(function (resolve) { window.setTimeout(resolve, Math.max(0, wait)); });
  }

  function checkRequired(form, rules) {
    let first = null;
    rules.forEach(function (rule) {
      const field = form.elements.namedItem(rule[0]);
      const value = field.type === 'checkbox' ? field.checked : field.value.trim();
      const message = rule[1](value);
      if (message) {
        const placed = R.fieldError(form, rule[0], message);
        first = first || placed;
      }
    });
    if (first) first.focus();
    return !first;
  }

  const required = function (message) {
    return function (value) { return value ? '' : message; };
  };
  const emailRule = function (value) {
    if (!value) return 'Indiquez votre adresse e-mail.';
    return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value) ? '' : 'Adresse e-mail invalide, par exemple nom@exemple.fr.';
  };

  /* ---- Session page ---------------------------------------------------------------------- */

  const page = document.getElementById('relais-session-page');
  if (page) sessionPage(page);

  function description(text) {
    /* The description is Markdown written by trainers: shown as plain text, never as HTML. */
    return text.split(/\n{2,}/).map(function (block) {
      const lines = block.split('\n').map(function (l) { return l.replace(/^\s*(#+|\d+\.|[-*])\s+/, ''); });
      return '<p>' + lines.map(R.escapeHtml).join('<br>') + '</p>';
    }).join('');
  }

  function details(t) {
    const e = R.escapeHtml;
    const dates = t.parts.map(function (p) {
      const prefix = t.parts.length > 1 ? 'Séance ' + p.position + ' : ' : '';
      return '<li>' + e(prefix + R.when(p)) + '</li>';
    }).join('');
    const audiences = t.audiences.map(function (a) { return a.label; }).join(', ') || 'Tous publics';
    let seats;
    if (t.registration_open && t.seats_left > 0) {
      seats = R.plural(t.seats_left, 'place restante', 'places restantes') + ' sur ' + t.capacity;
    } else if (t.waiting_list_open) {
      seats = 'Session complète : vous pouvez vous inscrire sur la liste d\'attente.';
    } else if (t.state === 'cancelled') {
      seats = 'Cette session est annulée.';
    } else {
      seats = 'Les inscriptions sont closes.';
    }
    return '<dl class="relais-fiche-session">' +
      '<dt>Format</dt><dd>' + e(t.format_label) + '</dd>' +
      '<dt>Dates (heure de Paris)</dt><dd><ul>' + dates + '</ul></dd>' +
      '<dt>Public</dt><dd>' + e(audiences) + '</dd>' +
      '<dt>Formateur</dt><dd>' + e(t.trainer_name) + '</dd>' +
      '<dt>Places</dt><dd id="session-places">' + e(seats) + '</dd></dl>' +
      '<div class="relais-description">' + description(t.description || '') + '</div>' +
      '<p><a class="md-button" href="/api/v1/trainings/' + t.id + '/calendar.ics">Ajouter à mon agenda (iCal)</a></p>';
  }

  async function sessionPage(root) {
    const state = document.getElementById('session-etat');
    const detail = document.getElementById('session-detail');
    const section = document.getElementById('session-inscription');
    const form = document.getElementById('form-inscription');
    const id = R.param('id');
    if (!id || !/^\d+$/.test(id)) {
      R.say(state, 'Aucune session n\'est indiquée : choisissez une session dans le calendrier.', 'erreur');
      return;
    }
    const result = await R.api('/trainings/' + id);
    if (!result.ok) {
      R.say(state, R.problemMessage(result, 'Cette session n\'existe pas ou n\'est pas encore publiée.'), 'erreur');
      return;
    }
    const t = result.data;
    document.querySelector('.md-content h1').textContent = t.title;
    document.title = t.title + ' — ' + document.title;
    detail.innerHTML = details(t);
    detail.hidden = false;
    R.say(state, '');
    if (!t.registration_open) return;
    const waiting = t.seats_left === 0;
    document.getElementById('inscription-titre').textContent =
      waiting ? 'M\'inscrire sur la liste d\'attente' : 'S\'inscrire';
    document.getElementById('inscription-envoyer').textContent =
      waiting ? 'M\'inscrire sur la liste d\'attente' : 'Envoyer mon inscription';
    document.getElementById('inscription-aide').textContent = 'Tous les champs sont obligatoires, sauf le ' +
      'numéro SIRET. Après l\'envoi, vous recevrez un e-mail : cliquez sur son lien pour confirmer ' +
      (waiting ? 'votre place sur la liste d\'attente.' : 'votre inscription.');
    // The handler is attached before the form shows: a quick click must never submit the
    // form natively (a GET putting name and e-mail in the address). The token may still load.
    let token = formToken();
    form.addEventListener('submit', async function (event) {
      event.preventDefault();
      await submit(form, t, await token, waiting);
      token = formToken();
    });
    section.hidden = false;
  }

  async function submit(form, t, token, waiting) {
    const out = document.getElementById('inscription-resultat');
    const button = document.getElementById('inscription-envoyer');
    R.clearErrors(form);
    R.say(out, '');
    const ok = checkRequired(form, [
      ['full_name', required('Indiquez votre nom et votre prénom.')],
      ['email', emailRule],
      ['structure', required('Indiquez le nom de votre structure.')],
      ['siret', function (v) {
        return !v || /^\d{14}$/.test(v.replace(/\s/g, '')) ? '' : 'Le numéro SIRET compte 14 chiffres.';
      }],
      ['consent', required('Cochez la case pour accepter l\'utilisation de vos informations.')]
    ]);
    if (!ok) {
      R.say(out, 'Le formulaire contient des erreurs : corrigez les champs signalés.', 'erreur');
      return;
    }
    if (!token) {
      R.say(out, R.UNAVAILABLE, 'erreur');
      return;
    }
    button.disabled = true;
    R.say(out, 'Envoi en cours…');
    await sleepUntil(token.ready);
    const f = form.elements;
    const siret = f.siret.value.replace(/\s/g, '');
    const body = {
      full_name: f.full_name.value.trim(),
      email: f.email.value.trim(),
      structure: f.structure.value.trim(),
      consent: f.consent.checked,
      form_token: token.value,
      website: f.website.value
    };
    if (siret) body.siret = siret;
    const result = await R.api('/trainings/' + t.id + '/registrations', { method: 'POST', body: body });
    button.disabled = false;
    if (result.status === 202) {
      const what = waiting ? 'votre place sur la liste d\'attente' : 'votre inscription';
      R.say(out, 'Vérifiez votre boîte e-mail : un message vient d\'être envoyé à ' + body.email +
        '. Cliquez sur le lien qu\'il contient pour confirmer ' + what +
        ' (pensez à regarder dans les indésirables).', 'succes');
      form.reset();
      out.focus();
      return;
    }
    if (result.status === 422 && R.showFieldErrors(form, result)) {
      R.say(out, 'Le formulaire contient des erreurs : corrigez les champs signalés.', 'erreur');
      return;
    }
    if (result.status === 422) {
      R.say(out, 'Le formulaire a expiré : rechargez la page puis envoyez-le de nouveau.', 'erreur');
    } else if (result.status === 409) {
      R.say(out, R.problemMessage(result) + ' Consultez les autres dates dans le calendrier des sessions.', 'erreur');
    } else {
      R.say(out, R.problemMessage(result, 'Cette session n\'existe plus ou n\'est plus ouverte aux inscriptions.'), 'erreur');
    }
    out.focus();
  }

  /* ---- Newsletter ------------------------------------------------------------------------ */

  const letter = document.getElementById('form-lettre');
  if (letter) newsletter(letter);

  async function newsletter(form) {
    const out = document.getElementById('lettre-resultat');
    let token = formToken();  // a promise: the handler is attached at once (see above)
    form.addEventListener('submit', async function (event) {
      event.preventDefault();
      R.clearErrors(form);
      R.say(out, '');
      const ok = checkRequired(form, [
        ['email', emailRule],
        ['consent', required('Cochez la case pour accepter de recevoir la lettre.')]
      ]);
      if (!ok) return;
      const current = await token;
      if (!current) {
        R.say(out, R.UNAVAILABLE, 'erreur');
        return;
      }
      R.say(out, 'Envoi en cours…');
      await sleepUntil(current.ready);
      const body = {
        email: form.elements.email.value.trim(),
        consent: form.elements.consent.checked,
        form_token: current.value,
        website: form.elements.website.value
      };
      const result = await R.api('/newsletter/subscriptions', { method: 'POST', body: body });
      token = formToken();
      if (result.status === 202) {
        R.say(out, 'Vérifiez votre boîte e-mail : ' + result.data.message, 'succes');
        form.reset();
      } else if (result.status === 422 && R.showFieldErrors(form, result)) {
        R.say(out, 'Le formulaire contient des erreurs : corrigez les champs signalés.', 'erreur');
        return;
      } else {
        R.say(out, R.problemMessage(result), 'erreur');
      }
      out.focus();
    });
  }
})();
