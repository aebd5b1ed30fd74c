// payops web page: the pieces every screen uses. DOM is built with h(), which
// only ever sets text as text (never HTML), so what the API returns — subjects,
// names, file names, articles — is shown, never run.

export const state = {
  member: null,   // {id, role, org_id, name, email, org_admin} once signed in
  csrf: null,     // the session's CSRF token (null with an API key)
  key: sessionStorage.getItem('payops.key') || '',
};

export const STAFF = ['admin', 'agent', 'ops_manager'];
export const isStaff = () => !!state.member && STAFF.includes(state.member.role);
export const isEmi = () => !!state.member && state.member.role === 'emi';
export const isPartner = () => !!state.member && state.member.role === 'partner';

// h('p', {class: 'x', onclick: fn}, 'text', child, [more]) → an element.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'for') el.htmlFor = v;
      else if (k === 'value') el.value = v;
      else if (k === 'checked' || k === 'selected') el[k] = !!v;
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
export const nextId = (p) => (p || 'f') + '-' + (++uid);

export function randomKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export class ApiError extends Error {
  constructor(status, e) {
    super(e.message || ('the server answered ' + status));
    this.status = status;
    this.code = e.code || '';
    this.field = e.field || '';
    this.requestId = e.request_id || '';
  }
}

// Calls the API with the session cookie (and its CSRF token on every change)
// or the API key. Throws ApiError with the API's code, message and field.
export async function api(method, path, body, opts) {
  const o = opts || {};
  const headers = { 'Accept': o.accept || 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (state.key) headers['Authorization'] = 'Bearer ' + state.key;
  if (method !== 'GET' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
  if (method === 'POST' && o.idempotent) headers['Idempotency-Key'] = randomKey();
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (o.raw && res.ok) return res;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new ApiError(res.status, data.error || {});
    if (res.status === 401 && !o.quiet401 && onSignedOut) onSignedOut(err);
    throw err;
  }
  return data;
}

let onSignedOut = null;
export function setSignedOutHandler(fn) { onSignedOut = fn; }

// ---------------------------------------------------------------------------
// Forms: every field has a visible label bound to it and its own error line,
// where the API's error.field is shown.

// field('Email', h('input', {name: 'email', type: 'email'}), 'hint') → a labelled block.
export function field(labelText, control, hint) {
  const id = control.id || nextId('f');
  control.id = id;
  const errId = id + '-error';
  const hintId = hint ? id + '-hint' : null;
  control.setAttribute('aria-describedby', [hintId, errId].filter(Boolean).join(' '));
  return h('div', { class: 'field' },
    h('label', { for: id }, labelText),
    hint ? h('p', { class: 'hint-text', id: hintId }, hint) : null,
    control,
    h('p', { class: 'field-error', id: errId, 'data-error-for': control.name || '' }));
}

export function checkbox(labelText, control) {
  const id = control.id || nextId('c');
  control.id = id;
  control.type = 'checkbox';
  return h('div', { class: 'field check' }, control, h('label', { for: id }, labelText));
}

export function formError() {
  return h('p', { class: 'form-error', role: 'alert' });
}

export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((e) => { e.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  const fe = form.querySelector('.form-error');
  if (fe) fe.textContent = '';
}

// Shows an error next to its field (error.field names the control's name;
// "attachments[0]" falls back to "attachments"), else at the form's foot.
// "wrong email or password" → "Wrong email or password." (the API's messages
// are written to be read within a sentence).
export function sentence(text) {
  const t = String(text || '').trim();
  if (!t) return t;
  return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?)”"]$/.test(t) ? '' : '.');
}

export function showError(form, err) {
  clearErrors(form);
  const msg = sentence(err.message) + (err.requestId && err.status >= 500 ? ' (request ' + err.requestId + ')' : '');
  const names = err.field ? [err.field, err.field.replace(/\[.*$/, '').replace(/\..*$/, '')] : [];
  for (const n of names) {
    const control = form.querySelector('[name="' + CSS.escape(n) + '"]');
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      const line = form.querySelector('#' + CSS.escape(control.id + '-error'));
      if (line) line.textContent = msg;
      control.focus();
      return;
    }
  }
  const fe = form.querySelector('.form-error');
  if (fe) fe.textContent = msg;
  else toast(msg, true);
}

// Runs `fn` on submit with the button disabled; errors go to the fields.
export function onSubmit(form, fn) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const buttons = form.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    clearErrors(form);
    try {
      await fn(ev.submitter || null);
    } catch (e) {
      if (e instanceof ApiError || e instanceof Error) showError(form, e);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
  return form;
}

export function select(name, values, selected, attrs) {
  return h('select', Object.assign({ name }, attrs || {}),
    values.map((v) => {
      const [value, text] = Array.isArray(v) ? v : [v, v];
      return h('option', { value, selected: value === selected }, text);
    }));
}

// ---------------------------------------------------------------------------
// Words for numbers and times.

export function money(minor, currency) {
  if (minor === null || minor === undefined) return '—';
  const n = Number(minor);
  const abs = Math.abs(n);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = String(abs % 100).padStart(2, '0');
  return (n < 0 ? '−' : '') + whole + '.' + cents + ' ' + (currency || '');
}

// One formatter for every date shown: building one per call costs ~0.1 ms.
const DATE_TIME = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short',
  year: 'numeric', hour: '2-digit', minute: '2-digit' });
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  return DATE_TIME.format(d);
}

// "3 h 20 min", "2 days 4 h", "12 min".
export function duration(minutes) {
  const m = Math.round(Math.abs(minutes));
  if (m < 60) return m + ' min';
  const hours = Math.floor(m / 60);
  if (hours < 48) return hours + ' h' + (m % 60 ? ' ' + (m % 60) + ' min' : '');
  const days = Math.floor(hours / 24);
  return days + ' days' + (hours % 24 ? ' ' + (hours % 24) + ' h' : '');
}

export function ago(iso) {
  if (!iso) return '—';
  const min = (Date.now() - new Date(iso).getTime()) / 60000;
  if (min < 1) return 'just now';
  return duration(min) + ' ago';
}

export const ageMinutes = (iso) => (Date.now() - new Date(iso).getTime()) / 60000;

export function statusBadge(status) {
  const s = String(status || '');
  return h('span', { class: 'badge st-' + s.toLowerCase() }, s.replace(/_/g, ' '));
}

export function humanCode(code) {
  return String(code || '').toLowerCase().replace(/_/g, ' ');
}

// A transient message for screen readers and eyes.
export function toast(text, isError) {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = text;
  el.className = isError ? 'toast error' : 'toast';
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 6000);
}

export function errorBox(e) {
  return h('div', { class: 'notice error', role: 'alert' }, e.message);
}

export function loading() {
  return h('p', { class: 'muted' }, 'Loading…');
}

// A <table> of rows; cols: [header, cell(row) → node|string, className?, width?].
// Rows are cloned from one prepared <tr> (cells, classes and labels set once)
// into a fragment attached in one go; a cell's text is set as text. With a
// width on every column but one (opts.fixed) the table uses the fixed layout:
// the browser sizes columns from the header instead of measuring every cell,
// which is most of the cost of a long list.
export function table(rows, cols, opts) {
  const o = opts || {};
  if (!rows.length) return h('p', { class: 'empty' }, o.empty || 'Nothing here.');
  const proto = document.createElement('tr');
  for (const c of cols) {
    const td = document.createElement('td');
    if (c[2]) td.className = c[2];
    td.setAttribute('data-label', c[0]);
    proto.appendChild(td);
  }
  const frag = document.createDocumentFragment();
  for (const r of rows) {
    const tr = proto.cloneNode(true);
    if (o.rowAttrs) {
      const a = o.rowAttrs(r);
      if (a && a.class) tr.className = a.class;
    }
    let td = tr.firstChild;
    for (const c of cols) {
      const v = c[1](r);
      if (typeof v === 'string') td.textContent = v;
      else append(td, [v]);
      td = td.nextSibling;
    }
    frag.appendChild(tr);
  }
  const body = document.createElement('tbody');
  body.appendChild(frag);
  return h('div', { class: 'table-wrap' },
    h('table', { class: (o.class || '') + (o.fixed ? ' fixed' : '') },
      o.caption ? h('caption', null, o.caption) : null,
      // Through the CSSOM: the page's CSP refuses style attributes.
      o.fixed ? h('colgroup', null, cols.map((c) => { const col = h('col'); if (c[3]) col.style.width = c[3]; return col; })) : null,
      h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, c[0])))),
      body));
}

export function link(href, text, attrs) {
  return h('a', Object.assign({ href }, attrs || {}), text);
}

// Fetches an authenticated file and saves it under `name`.
export async function download(path, name, accept) {
  const res = await api('GET', path, undefined, { raw: true, accept });
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// Types the server accepts for attachments, by file extension.
const CONTENT_TYPES = { pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg',
  jpeg: 'image/jpeg', gif: 'image/gif', txt: 'text/plain', csv: 'text/csv' };
export const ACCEPT = '.pdf,.png,.jpg,.jpeg,.gif,.txt,.csv';

export function readFile(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => {
      const url = String(r.result);
      const ext = (file.name.split('.').pop() || '').toLowerCase();
      resolve({ filename: file.name, content_type: CONTENT_TYPES[ext] || file.type ||
        'application/octet-stream', content_base64: url.slice(url.indexOf(',') + 1) });
    };
    r.onerror = () => reject(new Error('cannot read ' + file.name));
    r.readAsDataURL(file);
  });
}

export const go = (hash) => { if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange')); else location.hash = hash; };
