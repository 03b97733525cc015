/* Relais: shared helpers for the live parts of the site (plain ES2017, no bundler). */
(function () {
  'use strict';

  const API = '/api/v1';
  const PARIS = 'Europe/Paris';
  const DAY = new Intl.DateTimeFormat('fr-FR', {
    timeZone: PARIS, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric'
  });
  const HOUR = new Intl.DateTimeFormat('fr-FR', {
    timeZone: PARIS, hour: 'numeric', minute: '2-digit', hourCycle: 'h23'
  });
  const MONTH = new Intl.DateTimeFormat('fr-FR', { timeZone: PARIS, month: 'long', year: 'numeric' });
  const UNAVAILABLE = 'Le service est momentanément indisponible. Réessayez dans quelques minutes.';

  function parts(format, date) {
    const out = {};
    format.formatToParts(date).forEach(function (p) { out[p.type] = p.value; });
    return out;
  }

  /* « mardi 8 décembre 2026 » (« 1er » for the first day of a month). */
  function day(value) {
    const p = parts(DAY, new Date(value));
    const first = p.day === '1' ? '1er' : p.day;
    return p.weekday + ' ' + first + ' ' + p.month + ' ' + p.year;
  }

  /* « 10 h 00 ». */
  function hour(value) {
    const p = parts(HOUR, new Date(value));
    return Number(p.hour) + ' h ' + p.minute;
  }

  function when(part) {
    return day(part.starts_at) + ', ' + hour(part.starts_at) + ' – ' + hour(part.ends_at);
  }

  function monthKey(value) {
    const p = parts(new Intl.DateTimeFormat('en-CA', {
      timeZone: PARIS, year: 'numeric', month: '2-digit'
    }), new Date(value));
    return p.year + '-' + p.month;
  }

  function monthLabel(value) {
    const text = MONTH.format(new Date(value));
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  /* « 1 place », « 0 place », « 3 places »: in French, below two is singular (the same rule
     as backend/french.py, for the texts the API writes). */
  function plural(count, singular, pluralForm) {
    const word = Math.abs(count) < 2 ? singular : (pluralForm || singular + 's');
    return count + ' ' + word;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  /* Call the API; never throws: {ok, status, data, headers}, status 0 when unreachable.
     opts.headers adds request headers (If-None-Match: a 304 comes back with ok false). */
  async function api(path, options) {
    const opts = options || {};
    const headers = Object.assign({ Accept: 'application/json, application/problem+json' }, opts.headers);
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (opts.token) headers.Authorization = 'Bearer ' + opts.token;
    let response;
    try {
      response = await fetch(API + path, {
        method: opts.method || 'GET',
        headers: headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        cache: 'no-store',
        credentials: 'same-origin'
      });
    } catch (err) {
      return { ok: false, status: 0, data: { detail: UNAVAILABLE }, headers: new Headers() };
    }
    let data = null;
    const type = response.headers.get('Content-Type') || '';
    if (opts.raw) {
      data = response.ok ? await response.blob() : await response.json().catch(function () { return null; });
    } else if (type.indexOf('json') !== -1) {
      data = await response.json().catch(function () { return null; });
    }
    return { ok: response.ok, status: response.status, data: data, headers: response.headers };
  }

  /* The French sentence to show for a failed call. */
  function problemMessage(result, notFound) {
    if (result.status === 0) return UNAVAILABLE;
    if (result.status === 404 && notFound) return notFound;
    if (result.status === 429) {
      const wait = Number(result.headers.get('Retry-After') || 0);
      const minutes = Math.max(1, Math.ceil(wait / 60));
      return 'Trop de demandes en peu de temps. Réessayez dans ' + minutes +
        (minutes > 1 ? ' minutes.' : ' minute.');
    }
    if (result.status >= 500) return UNAVAILABLE;
    return (result.data && result.data.detail) || 'La demande n\'a pas abouti (erreur ' + result.status + ').';
  }

  /* Show a message in a status region (role=status or role=alert). */
  function say(region, text, kind) {
    if (!region) return;
    region.hidden = !text;
    region.className = 'relais-message' + (kind ? ' relais-message--' + kind : '');
    region.textContent = text || '';
  }

  /* Field errors: the message sits under the field, linked with aria-describedby. */
  function clearErrors(form) {
    form.querySelectorAll('.relais-erreur').forEach(function (node) {
      node.textContent = '';
      node.hidden = true;
    });
    form.querySelectorAll('[aria-invalid]').forEach(function (node) {
      node.removeAttribute('aria-invalid');
    });
  }

  function fieldError(form, name, text) {
    const field = form.elements.namedItem(name);
    const slot = form.querySelector('[data-erreur-de="' + name + '"]');
    if (!field || !slot || field instanceof RadioNodeList) return null;
    slot.textContent = text;
    slot.hidden = false;
    field.setAttribute('aria-invalid', 'true');
    const ids = (field.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    if (ids.indexOf(slot.id) === -1) field.setAttribute('aria-describedby', ids.concat(slot.id).join(' '));
    return field;
  }

  /* Put each invalid_params reason next to its field; returns how many were placed. */
  function showFieldErrors(form, result, names) {
    const params = (result.data && result.data.invalid_params) || [];
    let first = null;
    let placed = 0;
    params.forEach(function (p) {
      const name = typeof names === 'function'
        ? names(p.name)
        : (names && names[p.name]) || p.name.split('.')[0];
      const field = fieldError(form, name, p.reason);
      if (field) {
        placed += 1;
        first = first || field;
      }
    });
    if (first) first.focus();
    return placed;
  }

  function param(name) {
    return new URLSearchParams(window.location.search).get(name);
  }

  window.Relais = {
    api: api,
    day: day,
    hour: hour,
    when: when,
    monthKey: monthKey,
    monthLabel: monthLabel,
    escapeHtml: escapeHtml,
    plural: plural,
    problemMessage: problemMessage,
    say: say,
    clearErrors: clearErrors,
    fieldError: fieldError,
    showFieldErrors: showFieldErrors,
    param: param,
    UNAVAILABLE: UNAVAILABLE
  };

  /* Tables that scroll sideways on a phone must be reachable with the keyboard (RGAA 7.3). */
  function focusableScrollers() {
    document.querySelectorAll('.md-typeset__scrollwrap').forEach(function (wrap) {
      wrap.setAttribute('tabindex', '0');
    });
  }

  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(focusableScrollers);
  } else {
    focusableScrollers();
  }
})();
