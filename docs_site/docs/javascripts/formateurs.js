/* Trainers' space: login, sessions, participants, attendance, CSV export; announcements (admins). */
(function () {
  'use strict';

  const R = window.Relais;
  const root = document.getElementById('relais-formateurs');
  if (!R || !root) return;
  const e = R.escapeHtml;
  const view = root.getAttribute('data-vue');
  const base = root.getAttribute('data-base') || './';
  const KEY = 'relais.formateur';
  const LOGIN_HOURS = 12;  // a login lasts a working day at most (see load())
  const MARK = 'relais_formateur_session';  // a cookie without expiry: the browser session
  const STATES = { draft: 'Brouillon', published: 'Publiée', cancelled: 'Annulée' };
  const AUDIENCES = [
    ['micro-entreprise', 'Micro-entreprises'],
    ['fournisseur-travaux', 'Fournisseurs de travaux'],
    ['moe', 'Maîtrise d\'œuvre (MOE)'],
    ['moa', 'Maîtrise d\'ouvrage (MOA)'],
    ['entite-publique', 'Entités publiques'],
    ['sous-traitant', 'Sous-traitants et cotraitants'],
    ['tous', 'Tous publics']
  ];
  const CATEGORIES = [
    ['maintenance', 'Maintenance'],
    ['incident', 'Incident'],
    ['release', 'Nouvelle version'],
    ['news', 'Actualité']
  ];
  const PAGES = {
    accueil: base,
    session: base + 'session/',
    participants: base + 'participants/',
    annonces: base + 'annonces/'
  };
  let auth = load();

  root.innerHTML =
    '<div class="relais-message" role="status" tabindex="-1" data-fm-message hidden></div>' +
    '<div data-fm-barre></div><div data-fm-corps></div>';
  const message = root.querySelector('[data-fm-message]');
  const bar = root.querySelector('[data-fm-barre]');
  const body = root.querySelector('[data-fm-corps]');

  /* The login is kept for the browser session and shared by its tabs (a « Participants »
     link opened in a new tab stays logged in), with the same care as in one tab:
     - localStorage holds the tokens, at most LOGIN_HOURS after logging in, and only while a
       cookie without expiry (no secret in it) says the browser has not been closed since;
     - logging out, or a refused renewal, clears it, and every open tab hears it (the
       storage event) and shows the login form;
     - refresh tokens are single-use (a reused one revokes the session): one tab renews at
       a time (Web Locks) and the others read the new pair;
     - scripts run only from the site's own files (the CSP forbids inline and foreign ones)
       and every text from the API is escaped before it is shown. */
  function stored() {
    try {
      const value = JSON.parse(window.localStorage.getItem(KEY) || 'null');
      return value && value.expires_at > Date.now() ? value : null;
    } catch (err) {
      return null;
    }
  }

  function load() {
    const value = stored();
    if (value && document.cookie.split('; ').indexOf(MARK + '=1') === -1) {
      /* The browser was closed since: this login is over; the server forgets it too. */
      R.api('/auth/logout', { method: 'POST', token: value.access_token });
      window.localStorage.removeItem(KEY);
      return null;
    }
    return value;
  }

  function save(pair, me) {
    const until = (auth && auth.expires_at) || Date.now() + LOGIN_HOURS * 3600 * 1000;
    auth = {
      access_token: pair.access_token,
      refresh_token: pair.refresh_token,
      me: me || (auth && auth.me) || null,
      expires_at: until
    };
    document.cookie = MARK + '=1; path=/; SameSite=Strict';
    window.localStorage.setItem(KEY, JSON.stringify(auth));
  }

  function forget() {
    auth = null;
    window.localStorage.removeItem(KEY);
    window.sessionStorage.removeItem(KEY);  // where earlier versions kept it
  }

  /* Another tab logged in, renewed the tokens or logged out. */
  window.addEventListener('storage', function (event) {
    if (event.key !== KEY && event.key !== null) return;
    const now = stored();
    const was = auth;
    auth = now;
    if (!now && was) {
      showLogin();
      notify('Vous avez été déconnecté depuis un autre onglet.', 'succes');
    } else if (now && !was) {
      start();
    }
  });

  /* One renewal at a time across tabs; a tab that waited uses the pair another one got. */
  function renew(failedToken) {
    const run = async function () {
      const current = stored();
      if (!current) return false;
      auth = current;
      if (current.access_token !== failedToken) return true;
      const renewed = await R.api('/auth/refresh', {
        method: 'POST', body: { refresh_token: current.refresh_token }
      });
      if (!renewed.ok) return false;
      save(renewed.data);
      return true;
    };
    return navigator.locks ? navigator.locks.request(KEY, run) : run();
  }

  function notify(text, kind, focus) {
    R.say(message, text, kind);
    if (focus && text) message.focus();
  }

  /* An authenticated call; on 401 the tokens are renewed once, then login again. */
  async function call(path, options) {
    const opts = Object.assign({}, options || {}, { token: auth && auth.access_token });
    let result = await R.api(path, opts);
    if (result.status !== 401 || !auth) return result;
    if (!(await renew(opts.token))) {
      forget();
      showLogin('Votre session a expiré : reconnectez-vous pour continuer.');
      return { ok: false, status: 401, handled: true, data: null, headers: new Headers() };
    }
    opts.token = auth.access_token;
    result = await R.api(path, opts);
    return result;
  }

  function failed(result, notFound) {
    if (result.handled) return;
    notify(R.problemMessage(result, notFound), 'erreur', true);
  }

  /* A modal <dialog> before every destructive action; resolves true on « Oui ». */
  function confirmAction(question, yes) {
    return new Promise(function (resolve) {
      const opener = document.activeElement;
      const dialog = document.createElement('dialog');
      dialog.className = 'relais-dialog md-typeset';  // the site's buttons, not the browser's
      dialog.setAttribute('aria-labelledby', 'relais-dialog-titre');
      dialog.setAttribute('aria-describedby', 'relais-dialog-texte');
      dialog.innerHTML =
        '<h2 id="relais-dialog-titre">Confirmer</h2>' +
        '<p id="relais-dialog-texte">' + e(question) + '</p>' +
        '<p class="relais-barre">' +
        '<button type="button" class="md-button relais-danger" value="oui">' + e(yes) + '</button>' +
        '<button type="button" class="md-button" value="non">Non, revenir</button></p>';
      document.body.appendChild(dialog);
      dialog.querySelectorAll('button').forEach(function (button) {
        button.addEventListener('click', function () { dialog.close(button.value); });
      });
      dialog.addEventListener('close', function () {
        resolve(dialog.returnValue === 'oui');
        dialog.remove();
        if (opener && opener.focus) opener.focus();
      });
      dialog.showModal();
      dialog.querySelector('[value="non"]').focus();
    });
  }

  /* ---- Login ------------------------------------------------------------------------------ */

  function showLogin(note) {
    bar.innerHTML = '';
    body.innerHTML =
      '<h2 id="connexion-titre">Connexion</h2>' +
      '<p id="connexion-aide">Connectez-vous avec votre compte formateur ou administrateur.</p>' +
      '<form id="form-connexion" class="relais-form" novalidate aria-describedby="connexion-aide">' +
      field('email', 'Adresse e-mail', '<input id="email" name="email" type="email" autocomplete="username" required>') +
      field('password', 'Mot de passe', '<input id="password" name="password" type="password" autocomplete="current-password" required>') +
      '<p><button type="submit" class="md-button md-button--primary">Se connecter</button></p></form>';
    notify(note || '', note ? 'erreur' : '');
    const form = body.querySelector('form');
    form.addEventListener('submit', async function (event) {
      event.preventDefault();
      R.clearErrors(form);
      const email = form.elements.email.value.trim();
      const password = form.elements.password.value;
      let missing = false;
      if (!email) missing = R.fieldError(form, 'email', 'Indiquez votre adresse e-mail.') || missing;
      if (!password) missing = R.fieldError(form, 'password', 'Indiquez votre mot de passe.') || missing;
      if (missing) {
        form.querySelector('[aria-invalid]').focus();
        return;
      }
      notify('Connexion en cours…');
      const result = await R.api('/auth/login', {
        method: 'POST', body: { email: email, password: password }
      });
      if (!result.ok) {
        const text = result.status === 401
          ? 'Adresse e-mail ou mot de passe incorrect.'
          : R.problemMessage(result);
        notify(text, 'erreur', true);
        return;
      }
      save(result.data, null);
      const me = await call('/me');
      if (!me.ok || !(me.data.is_trainer || me.data.is_admin)) {
        await call('/auth/logout', { method: 'POST' });
        forget();
        showLogin('Ce compte n\'est pas un compte formateur : demandez l\'accès à un administrateur.');
        return;
      }
      save(result.data, me.data);
      notify('Vous êtes connecté.', 'succes');
      start();
    });
  }

  function field(name, label, input, help) {
    const aid = help ? '<span class="relais-aide" id="aide-' + name + '">' + e(help) + '</span>' : '';
    const withHelp = help ? input.replace('<input', '<input aria-describedby="aide-' + name + '"') : input;
    return '<p class="relais-champ"><label for="' + name + '">' + e(label) + '</label>' + aid + withHelp +
      '<span class="relais-erreur" id="erreur-' + name + '" data-erreur-de="' + name + '" hidden></span></p>';
  }

  async function logout() {
    if (auth) await call('/auth/logout', { method: 'POST' });
    forget();
    showLogin();
    notify('Vous êtes déconnecté.', 'succes', true);
  }

  function drawBar() {
    const me = auth.me;
    const role = me.is_admin ? 'administrateur' : 'formateur';
    const links = [
      '<a class="relais-fm-action" href="' + PAGES.accueil + '">Mes sessions</a>',
      '<a class="relais-fm-action" href="' + PAGES.session + '">Nouvelle session</a>'
    ];
    if (me.is_admin) links.push('<a class="relais-fm-action" href="' + PAGES.annonces + '">Annonces</a>');
    bar.innerHTML = '<nav aria-label="Espace formateurs" class="relais-barre">' +
      '<span>Connecté : <strong>' + e(me.full_name) + '</strong> (' + role + ')</span>' +
      links.join('') +
      '<button type="button" class="md-button" data-fm-deconnexion>Se déconnecter</button></nav>';
    bar.querySelector('[data-fm-deconnexion]').addEventListener('click', logout);
  }

  /* ---- Sessions list ---------------------------------------------------------------------- */

  function dates(t) {
    return t.parts.map(function (p) { return R.when(p); }).join(' puis ');
  }

  /* A table that reads as cards on a phone (stylesheets/formateurs.css); its ARIA roles keep
     the table's semantics when the phone layout changes how rows and cells are displayed. */
  function grid(caption, columns, rows) {
    const head = columns.map(function (c) {
      return '<th role="columnheader" scope="col">' + e(c) + '</th>';
    }).join('');
    const lines = rows.map(function (cells) {
      return '<tr role="row">' + cells.map(function (html, i) {
        return i === 0
          ? '<th role="rowheader" scope="row">' + html + '</th>'
          : '<td role="cell" data-label="' + e(columns[i]) + '">' + html + '</td>';
      }).join('') + '</tr>';
    }).join('');
    return '<div class="relais-fm-grille"><table class="relais-fm-table" role="table">' +
      '<caption>' + e(caption) + '</caption><thead role="rowgroup"><tr role="row">' + head +
      '</tr></thead><tbody role="rowgroup">' + lines + '</tbody></table></div>';
  }

  function seats(t) {
    const parts = [R.plural(t.confirmed, 'inscrit confirmé', 'inscrits confirmés') + ' sur ' + R.plural(t.capacity, 'place')];
    if (t.pending) parts.push(R.plural(t.pending, 'en attente de confirmation', 'en attente de confirmation'));
    if (t.waiting) parts.push(R.plural(t.waiting, 'personne sur liste d\'attente', 'personnes sur liste d\'attente'));
    return parts.join(' ; ');
  }

  function sessionRow(t) {
    const what = '<span class="relais-sr"> « ' + e(t.title) + ' »</span>';
    const actions = [
      '<a class="relais-fm-action" href="' + PAGES.session + '?id=' + t.id + '">Modifier' + what + '</a>',
      '<a class="relais-fm-action" href="' + PAGES.participants + '?id=' + t.id + '">Participants' + what + '</a>'
    ];
    if (t.state === 'draft') {
      actions.push('<button type="button" class="md-button md-button--primary" data-publier="' + t.id + '">Publier' + what + '</button>');
    }
    if (t.state !== 'cancelled' && new Date(t.ends_at) > Date.now()) {
      actions.push('<button type="button" class="md-button relais-danger" data-annuler="' + t.id + '">Annuler<span class="relais-sr"> la session « ' + e(t.title) + ' »</span></button>');
    }
    return [e(t.title), e(dates(t)), e(STATES[t.state] || t.state), e(seats(t)),
      '<span class="relais-barre">' + actions.join('') + '</span>'];
  }

  const SESSION_COLUMNS = ['Session', 'Dates (heure de Paris)', 'État', 'Inscrits', 'Actions'];

  async function showList() {
    const result = await call('/trainer/trainings');
    if (!result.ok) return failed(result);
    const items = result.data.items;
    if (!items.length) {
      body.innerHTML = '<h2>Mes sessions</h2><p>Vous n\'avez encore aucune session. ' +
        '<a href="' + PAGES.session + '">Créer une session</a></p>';
      return;
    }
    /* The API lists the next sessions first (soonest first), then the past ones. */
    const next = items.filter(function (t) { return new Date(t.ends_at) > Date.now(); });
    const past = items.filter(function (t) { return next.indexOf(t) === -1; });
    body.innerHTML = '<h2>Mes sessions</h2>' +
      '<p><a class="md-button md-button--primary" href="' + PAGES.session + '">Créer une session</a></p>' +
      (next.length
        ? grid('Vos prochaines sessions, de la plus proche à la plus lointaine', SESSION_COLUMNS, next.map(sessionRow))
        : '<p>Aucune session à venir.</p>') +
      (past.length
        ? '<details class="relais-fm-passees"><summary>Sessions passées (' + past.length + ')</summary>' +
          grid('Vos sessions passées, de la plus récente à la plus ancienne', SESSION_COLUMNS, past.map(sessionRow)) + '</details>'
        : '');
    const byId = {};
    items.forEach(function (t) { byId[t.id] = t; });
    body.querySelectorAll('[data-publier]').forEach(function (button) {
      button.addEventListener('click', function () { publish(byId[button.getAttribute('data-publier')], showList); });
    });
    body.querySelectorAll('[data-annuler]').forEach(function (button) {
      button.addEventListener('click', function () { cancel(byId[button.getAttribute('data-annuler')], showList); });
    });
  }

  async function publish(t, then) {
    const result = await call('/trainer/trainings/' + t.id + '/publish', { method: 'POST' });
    if (!result.ok) return failed(result);
    await then();
    notify('Session « ' + t.title + ' » publiée : elle apparaît dans le calendrier du site.', 'succes', true);
  }

  function whoIsTold(people) {
    if (!people) return '';
    if (people === 1) return ' La personne inscrite sera prévenue par e-mail.';
    return ' Les ' + people + ' personnes inscrites (liste d\'attente comprise) seront prévenues par e-mail.';
  }

  async function cancel(t, then) {
    const people = t.confirmed + t.pending + t.waiting;
    const ok = await confirmAction('Annuler la session « ' + t.title + ' » ?' + whoIsTold(people) +
      ' Cette action est définitive.', 'Oui, annuler la session');
    if (!ok) return;
    const result = await call('/trainer/trainings/' + t.id + '/cancel', { method: 'POST' });
    if (!result.ok) return failed(result);
    await then();
    const told = people ? (people === 1 ? ' La personne inscrite a été prévenue par e-mail.' : ' Les personnes inscrites ont été prévenues par e-mail.') : '';
    notify('Session « ' + t.title + ' » annulée.' + told, 'succes', true);
  }

  /* ---- Create or edit a session --------------------------------------------------------- */

  function localDate(iso) { return iso ? iso.slice(0, 10) : ''; }
  function localTime(iso) { return iso ? iso.slice(11, 16) : ''; }

  function partFields(n, part) {
    const s = part ? part.starts_at : '';
    const f = part ? part.ends_at : '';
    return '<fieldset id="seance-' + n + '"' + (n === 2 ? ' data-seance-2' : '') + '><legend>Séance ' + n + ' (heure de Paris)</legend>' +
      field('part' + n + '_date', 'Date de la séance ' + n, '<input id="part' + n + '_date" name="part' + n + '_date" type="date" value="' + localDate(s) + '">') +
      field('part' + n + '_start', 'Début de la séance ' + n, '<input id="part' + n + '_start" name="part' + n + '_start" type="time" value="' + localTime(s) + '">') +
      field('part' + n + '_end', 'Fin de la séance ' + n, '<input id="part' + n + '_end" name="part' + n + '_end" type="time" value="' + localTime(f) + '">') +
      '</fieldset>';
  }

  function sessionForm(t) {
    const format = t ? t.format : 'webinar';
    const chosen = t ? t.audiences.map(function (a) { return a.code; }) : [];
    const formats = [['webinar', 'Webinaire (une séance d\'1 h 30)'], ['coaching', 'Accompagnement individualisé (deux séances)']]
      .map(function (f) {
        return '<p class="relais-champ relais-case"><input type="radio" name="format" id="format-' + f[0] + '" value="' + f[0] + '"' +
          (f[0] === format ? ' checked' : '') + '><label for="format-' + f[0] + '">' + e(f[1]) + '</label></p>';
      }).join('');
    const audiences = AUDIENCES.map(function (a) {
      return '<p class="relais-champ relais-case"><input type="checkbox" name="audiences" id="public-' + a[0] + '" value="' + a[0] + '"' +
        (chosen.indexOf(a[0]) !== -1 ? ' checked' : '') + '><label for="public-' + a[0] + '">' + e(a[1]) + '</label></p>';
    }).join('');
    return '<form id="form-session" class="relais-form" novalidate>' +
      field('title', 'Titre', '<input id="title" name="title" type="text" required maxlength="200" value="' + e(t ? t.title : '') + '">') +
      '<fieldset><legend>Format</legend>' + formats + '</fieldset>' +
      '<fieldset><legend>Public visé</legend>' + audiences + '</fieldset>' +
      field('description', 'Programme', '<textarea id="description" name="description" rows="6">' + e(t ? t.description : '') + '</textarea>',
        'Le déroulé et les prérequis, affichés sur la page de la session.') +
      field('capacity', 'Nombre de places', '<input id="capacity" name="capacity" type="number" min="1" max="1000" required value="' + (t ? t.capacity : (format === 'coaching' ? 10 : 40)) + '">') +
      field('visio_url', 'Lien de la classe virtuelle', '<input id="visio_url" name="visio_url" type="url" value="' + e(t ? t.visio_url : '') + '">',
        'Adresse en https://, envoyée aux seuls inscrits confirmés.') +
      '<div><span class="relais-erreur" id="erreur-parts" data-erreur-de="parts" hidden></span></div>' +
      partFields(1, t && t.parts[0]) + partFields(2, t && t.parts[1]) +
      '<p class="relais-barre"><button type="submit" class="md-button md-button--primary">' +
      (t ? 'Enregistrer les modifications' : 'Créer la session (brouillon)') + '</button></p></form>';
  }

  function readSession(form) {
    const f = form.elements;
    const format = form.querySelector('[name="format"]:checked').value;
    const parts = [];
    const count = format === 'coaching' ? 2 : 1;
    for (let n = 1; n <= count; n += 1) {
      const day = f['part' + n + '_date'].value;
      parts.push({ starts_at: day + 'T' + f['part' + n + '_start'].value, ends_at: day + 'T' + f['part' + n + '_end'].value });
    }
    const data = {
      title: f.title.value.trim(),
      format: format,
      audiences: Array.prototype.filter.call(form.querySelectorAll('[name="audiences"]'), function (c) { return c.checked; })
        .map(function (c) { return c.value; }),
      description: f.description.value,
      capacity: Number(f.capacity.value),
      parts: parts
    };
    if (f.visio_url.value.trim()) data.visio_url = f.visio_url.value.trim();
    return data;
  }

  /* Every error at once, with the API's own rules (schemas.py): the order of the two parts
     is checked, never silently swapped. */
  function checkSession(form, data) {
    let first = null;
    const mark = function (name, text) {
      const placed = R.fieldError(form, name, text);  // every field, not only the first
      first = first || placed;
    };
    if (data.title.length < 3) mark('title', 'Indiquez un titre d\'au moins 3 caractères.');
    if (!(data.capacity >= 1)) mark('capacity', 'Indiquez un nombre de places (1 au moins).');
    if (data.visio_url && !/^https:\/\/\S+$/.test(data.visio_url)) mark('visio_url', 'Adresse web en https:// attendue.');
    data.parts.forEach(function (p, i) {
      const n = i + 1;
      if (!form.elements['part' + n + '_date'].value) mark('part' + n + '_date', 'Indiquez la date de la séance ' + n + '.');
      if (!form.elements['part' + n + '_start'].value) mark('part' + n + '_start', 'Indiquez l\'heure de début.');
      if (!form.elements['part' + n + '_end'].value) mark('part' + n + '_end', 'Indiquez l\'heure de fin.');
      else if (p.starts_at.length >= 16 && p.ends_at <= p.starts_at) mark('part' + n + '_end', 'L\'heure de fin doit suivre l\'heure de début.');
    });
    const two = data.parts.length === 2 && data.parts.every(function (p) { return p.starts_at.length >= 16 && p.ends_at.length >= 16; });
    if (two && data.parts[1].starts_at < data.parts[0].ends_at) {
      mark('part2_start', data.parts[1].starts_at < data.parts[0].starts_at
        ? 'La séance 2 est datée avant la séance 1 : indiquez les séances dans l\'ordre.'
        : 'La séance 2 commence avant la fin de la séance 1.');
    }
    if (first) first.focus();
    return !first;
  }

  /* Only what changed is sent: an unchanged session does not send new invitations. */
  function changes(before, data) {
    const out = {};
    ['title', 'format', 'description', 'capacity', 'visio_url'].forEach(function (k) {
      if (data[k] !== undefined && data[k] !== before[k]) out[k] = data[k];
    });
    const had = before.audiences.map(function (a) { return a.code; }).sort().join(',');
    if (data.audiences.slice().sort().join(',') !== had) out.audiences = data.audiences;
    const oldParts = before.parts.map(function (p) { return p.starts_at.slice(0, 16) + '/' + p.ends_at.slice(0, 16); }).join(' ');
    const newParts = data.parts.map(function (p) { return p.starts_at + '/' + p.ends_at; }).join(' ');
    if (oldParts !== newParts || out.format) out.parts = data.parts;
    return out;
  }

  function partName(name) {
    const m = /^parts\.(\d+)\.(starts_at|ends_at)$/.exec(name);
    if (m) return 'part' + (Number(m[1]) + 1) + (m[2] === 'ends_at' ? '_end' : '_start');
    return name.indexOf('parts') === 0 ? 'parts' : name;
  }

  async function showSession() {
    const id = R.param('id');
    let t = null;
    if (id) {
      const result = await call('/trainer/trainings/' + encodeURIComponent(id));
      if (!result.ok) return failed(result, 'Cette session est introuvable.');
      t = result.data;
    }
    const heading = t ? 'Modifier « ' + t.title + ' » (' + (STATES[t.state] || t.state) + ')' : 'Nouvelle session';
    let actions = '';
    if (t) {
      actions = '<p class="relais-barre"><a href="' + PAGES.participants + '?id=' + t.id + '">Voir les participants</a>' +
        (t.state === 'draft' ? '<button type="button" class="md-button md-button--primary" data-publier>Publier la session</button>' : '') +
        (t.state !== 'cancelled' ? '<button type="button" class="md-button relais-danger" data-annuler>Annuler la session</button>' : '') + '</p>';
    }
    body.innerHTML = '<h2>' + e(heading) + '</h2>' + actions + sessionForm(t);
    const form = body.querySelector('form');
    const second = form.querySelector('[data-seance-2]');
    const sync = function () { second.hidden = form.querySelector('[name="format"]:checked').value !== 'coaching'; };
    form.querySelectorAll('[name="format"]').forEach(function (r) { r.addEventListener('change', sync); });
    sync();
    const reload = function () { return showSession(); };
    if (t && body.querySelector('[data-publier]')) body.querySelector('[data-publier]').addEventListener('click', function () { publish(t, reload); });
    if (t && body.querySelector('[data-annuler]')) body.querySelector('[data-annuler]').addEventListener('click', function () { cancel(t, reload); });
    if (t && t.state === 'cancelled') {
      form.querySelectorAll('input, textarea, button').forEach(function (n) { n.disabled = true; });
    }
    form.addEventListener('submit', async function (event) {
      event.preventDefault();
      R.clearErrors(form);
      const data = readSession(form);
      if (!checkSession(form, data)) {
        notify('Le formulaire contient des erreurs : corrigez les champs signalés.', 'erreur');
        return;
      }
      const payload = t ? changes(t, data) : data;
      if (t && !Object.keys(payload).length) {
        notify('Aucune modification à enregistrer.', '', true);
        return;
      }
      notify('Enregistrement en cours…');
      const result = t
        ? await call('/trainer/trainings/' + t.id, { method: 'PATCH', body: payload })
        : await call('/trainer/trainings', { method: 'POST', body: payload });
      if (result.status === 422 && R.showFieldErrors(form, result, partName)) {
        notify('Le formulaire contient des erreurs : corrigez les champs signalés.', 'erreur');
        return;
      }
      if (!result.ok) return failed(result, 'Cette session est introuvable.');
      if (!t) {
        window.history.replaceState(null, '', '?id=' + result.data.id);
        await showSession();
        notify('Session créée en brouillon. Publiez-la pour l\'ouvrir aux inscriptions.', 'succes', true);
        return;
      }
      await showSession();
      const told = result.data.state === 'published' && result.data.confirmed
        ? ' Les inscrits confirmés reçoivent l\'invitation mise à jour.' : '';
      notify('Modifications enregistrées.' + told, 'succes', true);
    });
  }

  /* ---- Participants --------------------------------------------------------------------- */

  function started(t) { return Date.now() >= new Date(t.starts_at).getTime(); }

  function attendanceCell(t, p) {
    const name = e(p.full_name);
    return '<label class="relais-fm-presence" for="presence-' + p.id + '"><input type="checkbox" id="presence-' + p.id +
      '" data-presence="' + p.id + '" aria-describedby="presence-aide"' + (p.attended ? ' checked' : '') +
      (started(t) ? '' : ' disabled') + '>Présent<span class="relais-sr"> : ' + name + '</span></label>';
  }

  function participantRow(t, p, withAttendance) {
    const name = e(p.full_name);
    const cells = [name, e(p.email), e(p.structure_name) + (p.siret ? ' (SIRET ' + e(p.siret) + ')' : ''),
      e(R.day(p.created_at) + ', ' + R.hour(p.created_at))];
    if (withAttendance) cells.push(attendanceCell(t, p));
    cells.push('<button type="button" class="md-button relais-danger" data-desinscrire="' + p.id + '">Désinscrire<span class="relais-sr"> ' + name + '</span></button>');
    return cells;
  }

  function participantTable(t, caption, list, withAttendance) {
    if (!list.length) return '<h3>' + e(caption) + '</h3><p>Personne pour l\'instant.</p>';
    const columns = ['Nom', 'E-mail', 'Structure', 'Inscrit le'].concat(withAttendance ? ['Présence'] : [], ['Action']);
    return '<h3>' + e(caption) + ' (' + list.length + ')</h3>' +
      grid(caption, columns, list.map(function (p) { return participantRow(t, p, withAttendance); }));
  }

  function attendanceHelp(t) {
    const text = started(t)
      ? 'Cochez les personnes présentes : chaque case est enregistrée aussitôt.'
      : 'La présence se note à partir du début de la session, le ' + R.day(t.starts_at) + ' à ' + R.hour(t.starts_at) + '.';
    return '<p id="presence-aide" class="relais-aide">' + e(text) + '</p>';
  }

  function goneText(count) {
    if (!count) return 'Aucune inscription annulée ou expirée.';
    return R.plural(count, 'inscription annulée ou expirée', 'inscriptions annulées ou expirées') + '.';
  }

  async function showParticipants() {
    const id = R.param('id');
    if (!id) {
      body.innerHTML = '<p>Choisissez une session dans <a href="' + PAGES.accueil + '">vos sessions</a>.</p>';
      return;
    }
    const session = await call('/trainer/trainings/' + encodeURIComponent(id));
    if (!session.ok) return failed(session, 'Cette session est introuvable.');
    const result = await call('/trainer/trainings/' + encodeURIComponent(id) + '/participants');
    if (!result.ok) return failed(result);
    const t = session.data;
    const all = result.data.items;
    const pick = function (state) { return all.filter(function (p) { return p.state === state; }); };
    const gone = all.length - pick('confirmed').length - pick('pending').length - pick('waiting').length;
    body.innerHTML = '<h2>' + e(t.title) + '</h2><p>' + e(dates(t)) + ' — ' + e(STATES[t.state] || t.state) + '</p>' +
      '<p class="relais-barre"><button type="button" class="md-button" data-export>Exporter la liste (CSV)</button>' +
      '<a class="relais-fm-action" href="' + PAGES.session + '?id=' + t.id + '">Modifier la session</a></p>' +
      (pick('confirmed').length ? attendanceHelp(t) : '') +
      participantTable(t, 'Inscrits confirmés', pick('confirmed'), true) +
      participantTable(t, 'En attente de confirmation de leur adresse', pick('pending'), false) +
      participantTable(t, 'Liste d\'attente, par ordre d\'arrivée', pick('waiting'), false) +
      '<p>' + e(goneText(gone)) + '</p>';
    body.querySelector('[data-export]').addEventListener('click', function () { exportCsv(t); });
    body.querySelectorAll('[data-presence]').forEach(function (box) {
      box.addEventListener('change', function () { attendance(t, box, all); });
    });
    body.querySelectorAll('[data-desinscrire]').forEach(function (button) {
      const p = all.filter(function (x) { return String(x.id) === button.getAttribute('data-desinscrire'); })[0];
      button.addEventListener('click', function () { unregister(t, p); });
    });
  }

  async function attendance(t, box, all) {
    const p = all.filter(function (x) { return String(x.id) === box.getAttribute('data-presence'); })[0];
    const result = await call('/trainer/trainings/' + t.id + '/participants/' + p.id, {
      method: 'PATCH', body: { attended: box.checked }
    });
    if (!result.ok) {
      box.checked = !box.checked;
      return failed(result);
    }
    notify('Présence de ' + p.full_name + ' enregistrée : ' + (box.checked ? 'présent.' : 'absent.'), 'succes');
  }

  async function unregister(t, p) {
    const ok = await confirmAction('Désinscrire ' + p.full_name + ' de la session « ' + t.title +
      ' » ? La personne est prévenue par e-mail et sa place est proposée à la liste d\'attente.', 'Oui, désinscrire');
    if (!ok) return;
    const result = await call('/trainer/trainings/' + t.id + '/participants/' + p.id, { method: 'DELETE' });
    if (!result.ok) return failed(result);
    await showParticipants();
    notify('L\'inscription de ' + p.full_name + ' est annulée ; la personne a été prévenue par e-mail.', 'succes', true);
  }

  async function exportCsv(t) {
    const result = await call('/trainer/trainings/' + t.id + '/participants.csv', { raw: true });
    if (!result.ok) return failed(result);
    const name = 'inscrits-formation-' + t.id + '.csv';
    const url = URL.createObjectURL(result.data);
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    notify('Export téléchargé : ' + name + ' (séparateur point-virgule, s\'ouvre dans un tableur).', 'succes');
  }

  /* ---- Announcements (admins) ----------------------------------------------------------- */

  function stamp(iso) { return iso ? iso.slice(0, 16) : ''; }

  function announcementForm(a) {
    const category = a ? a.category : 'maintenance';
    const options = CATEGORIES.map(function (c) {
      return '<option value="' + c[0] + '"' + (c[0] === category ? ' selected' : '') + '>' + e(c[1]) + '</option>';
    }).join('');
    const moment = function (name, label, help) {
      return field(name, label, '<input id="' + name + '" name="' + name + '" type="datetime-local" value="' + stamp(a && a[name]) + '">', help);
    };
    return '<form id="form-annonce" class="relais-form" novalidate>' +
      field('category', 'Catégorie', '<select id="category" name="category">' + options + '</select>') +
      field('title', 'Titre', '<input id="title" name="title" type="text" required maxlength="200" value="' + e(a ? a.title : '') + '">',
        'Affiché dans le bandeau du site pour une maintenance ou un incident.') +
      field('body', 'Texte', '<textarea id="body" name="body" rows="4">' + e(a ? a.body : '') + '</textarea>') +
      moment('window_starts_at', 'Début de la maintenance (heure de Paris)', 'Obligatoire pour une maintenance.') +
      moment('window_ends_at', 'Fin de la maintenance (heure de Paris)') +
      moment('published_at', 'Visible à partir de', 'Laissez vide pour publier tout de suite.') +
      moment('expires_at', 'Retirée le', 'Laissez vide : une maintenance disparaît à la fin de sa fenêtre.') +
      '<p class="relais-barre"><button type="submit" class="md-button md-button--primary">' +
      (a ? 'Enregistrer l\'annonce' : 'Publier l\'annonce') + '</button>' +
      (a ? '<a href="' + PAGES.annonces + '">Nouvelle annonce</a>' : '') + '</p></form>';
  }

  async function showAnnouncements() {
    if (!auth.me.is_admin) {
      body.innerHTML = '<p>Cette page est réservée aux administrateurs.</p>';
      return;
    }
    const result = await R.api('/announcements');
    if (!result.ok) return failed(result);
    const items = result.data.items;
    const editing = items.filter(function (a) { return String(a.id) === R.param('id'); })[0] || null;
    const rows = items.map(function (a) {
      const when = a.window_starts_at ? R.day(a.window_starts_at) + ', ' + R.hour(a.window_starts_at) + ' – ' + R.hour(a.window_ends_at) : '—';
      const what = '<span class="relais-sr"> « ' + e(a.title) + ' »</span>';
      return [e(a.title), e(a.category_label), e(when),
        '<span class="relais-barre"><a class="relais-fm-action" href="' + PAGES.annonces + '?id=' + a.id + '">Modifier' + what + '</a>' +
        '<button type="button" class="md-button relais-danger" data-retirer="' + a.id + '">Retirer' + what + '</button></span>'];
    });
    body.innerHTML = '<h2>Annonces en cours et à venir</h2>' +
      (items.length ? grid('Annonces publiées', ['Titre', 'Catégorie', 'Fenêtre', 'Actions'], rows) : '<p>Aucune annonce en cours.</p>') +
      '<h2>' + (editing ? 'Modifier « ' + e(editing.title) + ' »' : 'Nouvelle annonce') + '</h2>' + announcementForm(editing);
    body.querySelectorAll('[data-retirer]').forEach(function (button) {
      const a = items.filter(function (x) { return String(x.id) === button.getAttribute('data-retirer'); })[0];
      button.addEventListener('click', async function () {
        const ok = await confirmAction('Retirer l\'annonce « ' + a.title + ' » ? Elle disparaît du site et de l\'application.', 'Oui, retirer l\'annonce');
        if (!ok) return;
        const removed = await call('/announcements/' + a.id, { method: 'DELETE' });
        if (!removed.ok) return failed(removed);
        window.history.replaceState(null, '', PAGES.annonces);
        await showAnnouncements();
        notify('Annonce « ' + a.title + ' » retirée.', 'succes', true);
      });
    });
    const form = body.querySelector('form');
    form.addEventListener('submit', async function (event) {
      event.preventDefault();
      R.clearErrors(form);
      const f = form.elements;
      const data = { category: f.category.value, title: f.title.value.trim(), body: f.body.value };
      ['window_starts_at', 'window_ends_at', 'published_at', 'expires_at'].forEach(function (k) {
        if (f[k].value) data[k] = f[k].value;
        else if (editing && k !== 'published_at') data[k] = null;
      });
      const saved = editing
        ? await call('/announcements/' + editing.id, { method: 'PATCH', body: data })
        : await call('/announcements', { method: 'POST', body: data });
      if (saved.status === 422 && R.showFieldErrors(form, saved)) {
        notify('Le formulaire contient des erreurs : corrigez les champs signalés.', 'erreur');
        return;
      }
      if (!saved.ok) return failed(saved);
      window.history.replaceState(null, '', PAGES.annonces);
      await showAnnouncements();
      notify('Annonce « ' + saved.data.title + ' » ' + (editing ? 'modifiée.' : 'publiée.') +
        ' Le bandeau du site se met à jour dans les minutes qui suivent.', 'succes', true);
    });
  }

  /* ---- Start ---------------------------------------------------------------------------- */

  const VIEWS = {
    accueil: showList,
    session: showSession,
    participants: showParticipants,
    annonces: showAnnouncements
  };

  async function start() {
    if (!auth || !auth.me) {
      showLogin();
      return;
    }
    drawBar();
    await VIEWS[view]();
  }

  start();
})();
