// payops console: a thin client of the /v1 API with the caller's API key.
(function () {
  'use strict';
  const $ = (sel) => document.querySelector(sel);
  const state = { key: sessionStorage.getItem('payops.key') || '' };

  function esc(v) {
    return String(v === null || v === undefined ? '' : v).replace(/[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: { 'Authorization': 'Bearer ' + state.key, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      const e = data.error || {};
      throw new Error((e.message || res.statusText) + (e.request_id ? ' (' + e.request_id + ')' : ''));
    }
    return data;
  }

  function table(rows, cols) {
    if (!rows.length) return '<p>Nothing yet.</p>';
    return '<table><thead><tr>' + cols.map((c) => '<th>' + esc(c[0]) + '</th>').join('') +
      '</tr></thead><tbody>' + rows.map((r) => '<tr>' + cols.map((c) =>
        '<td>' + esc(c[1](r)) + '</td>').join('') + '</tr>').join('') + '</tbody></table>';
  }

  const views = {
    async orgs() {
      const d = await api('GET', '/v1/orgs?limit=100');
      return table(d.data, [['Name', (o) => o.name], ['Domain', (o) => o.domain],
        ['SLA plan', (o) => o.sla_plan], ['Go-live', (o) => o.go_live_date],
        ['EMI', (o) => (o.emi ? o.emi.name : 'unknown: contact the payops customer office')],
        ['Id', (o) => o.id]]);
    },
    async users() {
      const d = await api('GET', '/v1/users?limit=100');
      return table(d.data, [['Name', (u) => u.name], ['Email', (u) => u.email],
        ['Country', (u) => u.country], ['KYC', (u) => u.kyc_status], ['Tier', (u) => u.tier],
        ['Id', (u) => u.id]]);
    },
    async clock() {
      const d = await api('GET', '/v1/sandbox/clock');
      return '<p>Sandbox time: <strong id="now">' + esc(d.now) + '</strong></p>' +
        '<form id="advance"><input id="to" placeholder="2026-03-09T07:00:00-08:00" aria-label="new time">' +
        ' <button>Advance</button></form>';
    },
    kb() {
      const cats = ['balance', 'transaction', 'billing', 'report', 'server_error', 'other',
        'missing_transaction', 'pending_transaction', 'rejected_transaction',
        'refunded_transaction', 'closed_account', 'suspended_account', 'pending_account'];
      return '<form id="kb-search"><input id="kb-q" placeholder="Search: GEOIP, insufficient funds, settlement…"' +
        ' aria-label="search terms" maxlength="200"> <select id="kb-cat" aria-label="ticket category">' +
        '<option value="">any category</option>' +
        cats.map((c) => '<option>' + esc(c) + '</option>').join('') +
        '</select> <button>Search</button></form><div id="kb-results"></div>';
    },
  };

  async function kbSearch() {
    const q = $('#kb-q').value.trim();
    const cat = $('#kb-cat').value;
    if (!q && !cat) return;
    const params = new URLSearchParams();
    if (q) params.set('q', q);
    if (cat) params.set('category', cat);
    try {
      const d = await api('GET', '/v1/kb/search?' + params.toString().replace(/\+/g, '%20'));
      $('#kb-results').innerHTML = d.data.length ? d.data.map((a) =>
        '<article class="kb"><h3>' + esc(a.title) + '</h3><p>' + esc(a.snippet) + '</p><small>' +
        esc(a.category || 'no category') + ' · ' + esc(a.slug) + '</small></article>').join('')
        : '<p>No article matches.</p>';
    } catch (e) { $('#kb-results').innerHTML = '<span class="error">' + esc(e.message) + '</span>'; }
  }

  async function show(name) {
    document.querySelectorAll('#tabs button').forEach((b) =>
      b.classList.toggle('active', b.dataset.view === name));
    try {
      $('#view').innerHTML = await views[name]();
      $('#status').textContent = '';
      const kb = $('#kb-search');
      if (kb) {
        kb.addEventListener('submit', (ev) => { ev.preventDefault(); kbSearch(); });
        $('#kb-cat').addEventListener('change', kbSearch);
      }
      const adv = $('#advance');
      if (adv) {
        adv.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          try {
            const r = await api('POST', '/v1/sandbox/clock', { now: $('#to').value });
            $('#status').textContent = 'Clock at ' + r.now + '; ' + r.jobs_run + ' job runs.';
            show('clock');
          } catch (e) { $('#status').innerHTML = '<span class="error">' + esc(e.message) + '</span>'; }
        });
      }
    } catch (e) {
      $('#view').innerHTML = '';
      $('#status').innerHTML = '<span class="error">' + esc(e.message) + '</span>';
    }
  }

  function signedIn() {
    const on = !!state.key;
    $('#tabs').hidden = !on;
    $('#logout').hidden = !on;
    if (on) show('orgs');
  }

  $('#login').addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.key = $('#key').value.trim();
    sessionStorage.setItem('payops.key', state.key);
    $('#key').value = '';
    signedIn();
  });
  $('#logout').addEventListener('click', () => {
    state.key = '';
    sessionStorage.removeItem('payops.key');
    $('#view').innerHTML = '';
    signedIn();
  });
  $('#tabs').addEventListener('click', (ev) => {
    if (ev.target.dataset.view) show(ev.target.dataset.view);
  });
  signedIn();
})();
