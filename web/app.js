// payops console: a thin client of the /v1 API with the caller's API key.
(function () {
  'use strict';
  const $ = (sel) => document.querySelector(sel);
  const state = { key: sessionStorage.getItem('payops.key') || '' };

  function esc(v) {
    return String(v === null || v === undefined ? '' : v).replace(/[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }

  // Throws an Error carrying the API's error code and field, when the answer has them.
  async function api(method, path, body, headers) {
    const res = await fetch(path, {
      method,
      headers: Object.assign({ 'Authorization': 'Bearer ' + state.key,
        'Content-Type': 'application/json' }, headers || {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      const e = data.error || {};
      const err = new Error((e.message || res.statusText) +
        (e.request_id ? ' (' + e.request_id + ')' : ''));
      err.code = e.code;
      err.field = e.field;
      throw err;
    }
    return data;
  }

  // An error as HTML: the message, and the field it is about when the API names one.
  function errorHtml(e) {
    return '<span class="error">' + esc(e.message) +
      (e.field ? ' <small>(field: ' + esc(e.field) + ')</small>' : '') + '</span>';
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
    tickets() {
      return '<form id="t-filter" class="row">' +
        '<label>View <select id="t-view">' + options(['all', 'mine', 'cc']) + '</select></label>' +
        ' <label>Status <select id="t-status"><option value="active">active</option>' +
        '<option value="">any</option>' + options(STATUSES) + '</select></label>' +
        ' <label>Sort <select id="t-sort"><option value="sla">SLA time left</option>' +
        '<option value="id">id (newest last)</option></select></label>' +
        ' <button>Refresh</button> <button type="button" id="t-open-new">New ticket</button></form>' +
        '<div id="t-list"><div id="t-list-error" role="alert"></div><div id="t-rows"></div>' +
        '<button type="button" id="t-more" hidden>More</button></div>' +
        '<div id="t-detail" hidden></div><div id="t-new" hidden></div>';
    },
    kb() {
      return '<form id="kb-search"><input id="kb-q" placeholder="Search: GEOIP, insufficient funds, settlement…"' +
        ' aria-label="search terms" maxlength="200"> <select id="kb-cat" aria-label="ticket category">' +
        '<option value="">any category</option>' +
        options(CATEGORIES) +
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

  // ---------------------------------------------------------------------------
  // Tickets: the support desk's list, a ticket's detail with reply and triage,
  // and the form that opens a ticket.

  const CATEGORIES = ['balance', 'transaction', 'billing', 'report', 'server_error', 'other',
    'missing_transaction', 'pending_transaction', 'rejected_transaction',
    'refunded_transaction', 'closed_account', 'suspended_account', 'pending_account'];
  const STATUSES = ['new', 'open', 'pending', 'solved', 'closed'];
  const PRIORITIES = ['urgent', 'high', 'medium', 'low'];
  const WARNINGS = {
    request_id: 'please add the request id of the failed call',
    transaction_id: 'please add the id of the transaction concerned',
    user_id: 'please add the id of the user whose account it is',
  };
  const CATEGORY_HINTS = {
    server_error: 'Add the request id of the failed call (the X-Request-Id of the answer, ' +
      'or request_id in its error): without it the call cannot be traced.',
    missing_transaction: 'A proof of claim is required: attach a bank statement, receipt or ' +
      'screenshot showing the date, the amount and the reference.',
    pending_account: 'Add the user id: an account can be escalated to the EMI once its ' +
      'verification has been pending one week.',
  };
  // Types the server accepts for attachments, by file extension.
  const CONTENT_TYPES = { pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg',
    jpeg: 'image/jpeg', gif: 'image/gif', txt: 'text/plain', csv: 'text/csv' };

  const desk = { rows: [], cursor: null, ticket: null, members: null };

  function options(values, selected) {
    return values.map((v) => '<option' + (v === selected ? ' selected' : '') + '>' + esc(v) +
      '</option>').join('');
  }

  // "2 h 15 min", "overdue 1 h 5 min".
  function minutesText(m) {
    const a = Math.abs(m);
    const h = Math.floor(a / 60);
    const text = (h ? h + ' h' : '') + (a % 60 || !h ? (h ? ' ' : '') + (a % 60) + ' min' : '');
    return m < 0 ? 'overdue ' + text : text;
  }

  // The SLA cell: time left on the running clock (first response, else
  // resolution), how long overdue a breached resolution is, else the clock's
  // state (met, paused, stopped).
  function slaHtml(sla) {
    if (!sla) return '';
    let out;
    let left = null;
    if (sla.first_response_state === 'running') left = sla.first_response_minutes_left;
    else if (sla.resolution_state === 'running' || sla.resolution_state === 'breached') {
      left = sla.resolution_minutes_left;
    }
    if (typeof left === 'number') {
      out = left < 0 ? '<span class="overdue">' + esc(minutesText(left)) + '</span>'
        : esc(minutesText(left));
    } else {
      out = '<span class="muted">' + esc(sla.resolution_state) + '</span>';
    }
    if (sla.first_response_breached || sla.resolution_breached) {
      out += ' <span class="badge breached">breached</span>';
    }
    return out;
  }

  function assigneeText(id) {
    if (!id) return '';
    const name = desk.members && desk.members[id];
    return name ? name + ' (' + id + ')' : id;
  }

  // Names of the queues' members, for the assignee column; staff only, so a
  // refusal just leaves the ids.
  async function loadMembers() {
    if (desk.members) return;
    desk.members = {};
    try {
      const d = await api('GET', '/v1/queues');
      d.data.forEach((q) => q.members.forEach((m) => { desk.members[m.member_id] = m.name; }));
    } catch (e) { /* not staff */ }
  }

  function ticketRow(t) {
    const requester = t.requester || {};
    return '<tr class="link" tabindex="0" data-id="' + esc(t.id) + '">' +
      '<td>' + esc(t.number) + '</td><td>' + esc(t.subject) + '</td>' +
      '<td>' + esc(t.category) + '</td>' +
      '<td><span class="badge prio-' + esc(t.priority) + '">' + esc(t.priority) + '</span></td>' +
      '<td>' + esc(t.status) + '</td><td>' + esc(t.queue) + '</td>' +
      '<td>' + esc(assigneeText(t.assignee_id)) + '</td>' +
      '<td>' + esc(requester.name || requester.email) + '</td>' +
      '<td>' + slaHtml(t.sla) + '</td></tr>';
  }

  function renderList() {
    const el = $('#t-rows');
    if (!desk.rows.length) {
      el.innerHTML = '<p>No ticket matches.</p>';
    } else {
      el.innerHTML = '<table class="tickets"><thead><tr>' +
        ['Number', 'Subject', 'Category', 'Priority', 'Status', 'Queue', 'Assignee', 'Requester',
          'SLA time left'].map((c) => '<th>' + esc(c) + '</th>').join('') +
        '</tr></thead><tbody>' + desk.rows.map(ticketRow).join('') + '</tbody></table>';
    }
    $('#t-more').hidden = !desk.cursor;
  }

  async function loadTickets(more) {
    const params = new URLSearchParams();
    params.set('view', $('#t-view').value);
    if ($('#t-status').value) params.set('status', $('#t-status').value);
    params.set('sort', $('#t-sort').value);
    params.set('limit', '50');
    if (more && desk.cursor) params.set('cursor', desk.cursor);
    try {
      const d = await api('GET', '/v1/tickets?' + params.toString());
      desk.rows = more ? desk.rows.concat(d.data) : d.data;
      desk.cursor = d.next_cursor || null;
      renderList();
      $('#t-list-error').innerHTML = '';
    } catch (e) { $('#t-list-error').innerHTML = errorHtml(e); }
  }

  // Shows one of the list, the detail and the new-ticket form.
  function pane(name) {
    $('#t-list').hidden = name !== 'list';
    $('#t-detail').hidden = name !== 'detail';
    $('#t-new').hidden = name !== 'new';
  }

  function field(label, valueHtml) {
    return '<dt>' + esc(label) + '</dt><dd>' + valueHtml + '</dd>';
  }

  function detailHtml(t) {
    const sla = t.sla || {};
    const requester = t.requester || {};
    let h = '<button type="button" class="plain" id="t-back">← Tickets</button>' +
      '<h2>#' + esc(t.number) + ' ' + esc(t.subject) + '</h2>';
    if (t.warnings && t.warnings.length) {
      h += '<ul class="warnings">' + t.warnings.map((w) =>
        '<li>' + esc(WARNINGS[w] || 'missing: ' + w) + '</li>').join('') + '</ul>';
    }
    h += '<dl class="facts">' +
      field('Requester', esc(requester.name) + (requester.email ? ' &lt;' + esc(requester.email) +
        '&gt;' : '')) +
      field('CC', esc((t.cc || []).join(', ') || '—')) +
      field('Category', esc(t.category)) +
      field('Priority', '<span class="badge prio-' + esc(t.priority) + '">' + esc(t.priority) +
        '</span>') +
      field('Status', esc(t.status)) +
      field('Queue', esc(t.queue)) +
      field('Assignee', esc(assigneeText(t.assignee_id) || 'nobody')) +
      field('Channel', esc(t.channel)) +
      field('Opened', esc(t.created_at)) +
      field('First response due', esc(sla.first_response_due) + ' <span class="muted">(' +
        esc(sla.first_response_state) + ')</span>') +
      field('Resolution due', esc(sla.resolution_due) + ' <span class="muted">(' +
        esc(sla.resolution_state) + ')</span>') +
      field('SLA time left', slaHtml(sla) || '—') +
      (t.request_id ? field('Request id', '<code>' + esc(t.request_id) + '</code>') : '') +
      (t.user_id ? field('User', '<code>' + esc(t.user_id) + '</code>') : '') +
      (t.follow_up_of ? field('Follow-up of', esc(t.follow_up_of)) : '') +
      '</dl>';
    const x = t.transaction;
    if (x) {
      h += '<section class="box"><h3>Transaction</h3><dl class="facts">' +
        field('Id', '<code>' + esc(x.id) + '</code>') + field('Status', esc(x.status)) +
        field('Amount', esc(x.amount) + ' ' + esc(x.currency));
      if (x.hold) {
        h += field('Hold reason', esc(x.hold.reason)) +
          field('Explanation', esc(x.hold.explanation)) +
          field('Next action', esc(x.hold.next_action));
      }
      h += '</dl></section>';
    } else if (t.transaction_id) {
      h += '<p class="muted">Transaction ' + esc(t.transaction_id) + ' (not found).</p>';
    }
    if (t.attachments && t.attachments.length) {
      h += '<section class="box"><h3>Attachments</h3><ul class="attachments">' +
        t.attachments.map((a) => '<li><a href="#" data-att="' + esc(a.id) + '" data-name="' +
          esc(a.filename) + '">' + esc(a.filename) + '</a> <small class="muted">' +
          esc(a.content_type) + ', ' + esc(a.size_bytes) + ' bytes</small></li>').join('') +
        '</ul></section>';
    }
    h += '<section><h3>Conversation</h3>' +
      '<article class="msg"><header><strong>' + esc(requester.name || requester.email) +
      '</strong> <small class="muted">opened ' + esc(t.created_at) + '</small></header>' +
      '<p class="body">' + esc(t.description) + '</p></article>' +
      (t.messages || []).map((m) => '<article class="msg' + (m.internal ? ' internal' : '') +
        '"><header><strong>' + esc(m.author_name) + '</strong> <small class="muted">' +
        esc(m.author_kind) + ' · ' + esc(m.created_at) + '</small>' +
        (m.internal ? ' <span class="badge note">internal note</span>' : '') +
        '</header><p class="body">' + esc(m.body) + '</p></article>').join('') +
      '</section>';
    h += '<section class="box"><h3>Reply</h3><form id="t-reply">' +
      '<textarea id="t-reply-body" rows="4" required aria-label="message" maxlength="100000"></textarea>' +
      '<div class="row"><label><input type="checkbox" id="t-reply-internal"> internal note</label>' +
      ' <button>Send</button> <span id="t-reply-error" role="alert"></span></div></form></section>';
    h += '<section class="box"><h3>Triage</h3><form id="t-triage" class="row">' +
      '<label>Priority <select id="t-priority">' + options(PRIORITIES, t.priority) + '</select></label>' +
      ' <label>Assignee id <input id="t-assignee" value="' + esc(t.assignee_id || '') +
      '" placeholder="empty = unassigned" size="26"></label>' +
      ' <label>Status <select id="t-new-status">' + options(STATUSES, t.status) + '</select></label>' +
      ' <button>Update</button> <span id="t-triage-error" role="alert"></span></form></section>';
    if (t.history && t.history.length) {
      h += '<section><h3>History</h3><table><thead><tr><th>At</th><th>Actor</th><th>Field</th>' +
        '<th>Change</th><th>Reason</th></tr></thead><tbody>' +
        t.history.map((e) => '<tr><td>' + esc(e.at) + '</td><td>' + esc(e.actor) + '</td><td>' +
          esc(e.field) + '</td><td>' + esc(e.from === null ? '—' : e.from) + ' → ' +
          esc(e.to === null ? '—' : e.to) + '</td><td>' + esc(e.reason) + '</td></tr>').join('') +
        '</tbody></table></section>';
    }
    return h;
  }

  // Shows a ticket answer (GET, PATCH, reply, create) and keeps the list row in step.
  function showTicket(t) {
    desk.ticket = t;
    const i = desk.rows.findIndex((r) => r.id === t.id);
    if (i >= 0) { desk.rows[i] = t; renderList(); }
    $('#t-detail').innerHTML = detailHtml(t);
    pane('detail');
  }

  async function openTicket(id) {
    try {
      showTicket(await api('GET', '/v1/tickets/' + encodeURIComponent(id)));
      $('#t-list-error').innerHTML = '';
    } catch (e) { $('#t-list-error').innerHTML = errorHtml(e); }
  }

  function idempotencyKey() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  // Attachments need the key, so the file is fetched here and saved through a Blob URL.
  async function download(link) {
    const t = desk.ticket;
    try {
      const res = await fetch('/v1/tickets/' + encodeURIComponent(t.id) + '/attachments/' +
        encodeURIComponent(link.dataset.att), { headers: { 'Authorization': 'Bearer ' + state.key } });
      if (!res.ok) {
        const e = ((await res.json().catch(() => ({}))).error) || {};
        throw new Error(e.message || res.statusText);
      }
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = link.dataset.name || 'attachment';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (e) { $('#status').innerHTML = errorHtml(e); }
  }

  async function reply(ev) {
    ev.preventDefault();
    const t = desk.ticket;
    const body = $('#t-reply-body').value;
    $('#t-reply-error').innerHTML = '';
    if (!body.trim()) return;
    try {
      showTicket(await api('POST', '/v1/tickets/' + encodeURIComponent(t.id) + '/messages',
        { body, internal: $('#t-reply-internal').checked }, { 'Idempotency-Key': idempotencyKey() }));
      $('#status').textContent = 'Message added to #' + desk.ticket.number + '.';
    } catch (e) { $('#t-reply-error').innerHTML = errorHtml(e); }
  }

  async function triage(ev) {
    ev.preventDefault();
    const t = desk.ticket;
    const patch = {};
    const priority = $('#t-priority').value;
    const status = $('#t-new-status').value;
    const assignee = $('#t-assignee').value.trim();
    if (priority !== t.priority) patch.priority = priority;
    if (status !== t.status) patch.status = status;
    if (assignee !== (t.assignee_id || '')) patch.assignee_id = assignee || null;
    $('#t-triage-error').innerHTML = '';
    if (!Object.keys(patch).length) {
      $('#t-triage-error').innerHTML = '<span class="muted">Nothing changed.</span>';
      return;
    }
    try {
      showTicket(await api('PATCH', '/v1/tickets/' + encodeURIComponent(t.id), patch));
      $('#status').textContent = 'Ticket #' + desk.ticket.number + ' updated.';
    } catch (e) { $('#t-triage-error').innerHTML = errorHtml(e); }
  }

  function newTicketHtml() {
    return '<button type="button" class="plain" id="t-new-back">← Tickets</button>' +
      '<h2>New ticket</h2><form id="t-create" class="stack">' +
      '<label>Requester name <input id="n-name" maxlength="1000"></label>' +
      '<label>Requester email <input id="n-email" type="email" required maxlength="1000"></label>' +
      '<label>CC <input id="n-cc" placeholder="a@example.com, b@example.com"></label>' +
      '<label>Category <select id="n-category" required><option value="">choose…</option>' +
      options(CATEGORIES) + '</select></label>' +
      '<div id="n-hint" class="hint" hidden></div><div id="n-kb"></div>' +
      '<label>Subject <input id="n-subject" required maxlength="4000"></label>' +
      '<label>Description <textarea id="n-description" rows="6" required maxlength="100000"></textarea></label>' +
      '<label>Transaction id <input id="n-txn" placeholder="optional" maxlength="1000"></label>' +
      '<label>Request id <input id="n-request" placeholder="optional" maxlength="1000"></label>' +
      '<label>User id <input id="n-user" placeholder="optional: the account concerned" maxlength="1000"></label>' +
      '<label>Attachments <input id="n-files" type="file" multiple ' +
      'accept=".pdf,.png,.jpg,.jpeg,.gif,.txt,.csv"></label>' +
      '<div class="row"><button>Open ticket</button> <span id="n-error" role="alert"></span></div>' +
      '</form>';
  }

  async function suggest() {
    const cat = $('#n-category').value;
    const hint = CATEGORY_HINTS[cat];
    $('#n-hint').hidden = !hint;
    $('#n-hint').textContent = hint || '';
    $('#n-kb').innerHTML = '';
    if (!cat) return;
    try {
      const d = await api('GET', '/v1/kb/search?category=' + encodeURIComponent(cat));
      if ($('#n-category').value !== cat || !d.data.length) return;  // changed meanwhile
      $('#n-kb').innerHTML = '<div class="suggest"><strong>Before you send: these articles may help' +
        '</strong>' + d.data.map((a) => '<article class="kb"><h3>' + esc(a.title) + '</h3><p>' +
        esc(a.snippet) + '</p><small>' + esc(a.slug) + '</small></article>').join('') + '</div>';
    } catch (e) { /* suggestions are a help, not a step */ }
  }

  function readFile(file) {
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

  async function create(ev) {
    ev.preventDefault();
    const v = (id) => $(id).value.trim();
    const body = {
      requester: { name: v('#n-name'), email: v('#n-email') },
      category: v('#n-category'),
      subject: v('#n-subject'),
      description: $('#n-description').value,
      channel: 'portal',
    };
    const cc = v('#n-cc').split(',').map((s) => s.trim()).filter(Boolean);
    if (cc.length) body.cc = cc;
    if (v('#n-txn')) body.transaction_id = v('#n-txn');
    if (v('#n-request')) body.request_id = v('#n-request');
    if (v('#n-user')) body.user_id = v('#n-user');
    const button = ev.target.querySelector('button');
    button.disabled = true;
    $('#n-error').innerHTML = '';
    try {
      const files = Array.from($('#n-files').files);
      if (files.length) body.attachments = await Promise.all(files.map(readFile));
      const t = await api('POST', '/v1/tickets', body, { 'Idempotency-Key': idempotencyKey() });
      desk.rows.unshift(t);
      // The answer to the create has no attachments or history: read the ticket back.
      showTicket(await api('GET', '/v1/tickets/' + encodeURIComponent(t.id)).catch(() => t));
      $('#status').textContent = 'Ticket #' + t.number + ' opened.';
    } catch (e) {
      $('#n-error').innerHTML = errorHtml(e);
    } finally { button.disabled = false; }
  }

  function mountTickets() {
    desk.rows = [];
    desk.cursor = null;
    desk.ticket = null;
    $('#t-filter').addEventListener('submit', (ev) => { ev.preventDefault(); loadTickets(false); });
    $('#t-filter').addEventListener('change', () => loadTickets(false));
    $('#t-more').addEventListener('click', () => loadTickets(true));
    $('#t-open-new').addEventListener('click', () => {
      $('#t-new').innerHTML = newTicketHtml();
      pane('new');
      $('#n-category').addEventListener('change', suggest);
      $('#t-create').addEventListener('submit', create);
      $('#t-new-back').addEventListener('click', () => pane('list'));
    });
    $('#t-rows').addEventListener('click', (ev) => {
      const tr = ev.target.closest('tr[data-id]');
      if (tr) openTicket(tr.dataset.id);
    });
    $('#t-rows').addEventListener('keydown', (ev) => {
      const tr = ev.target.closest('tr[data-id]');
      if (tr && ev.key === 'Enter') openTicket(tr.dataset.id);
    });
    const detail = $('#t-detail');
    detail.addEventListener('click', (ev) => {
      if (ev.target.id === 't-back') { pane('list'); return; }
      const a = ev.target.closest('a[data-att]');
      if (a) { ev.preventDefault(); download(a); }
    });
    detail.addEventListener('submit', (ev) => {
      if (ev.target.id === 't-reply') reply(ev);
      else if (ev.target.id === 't-triage') triage(ev);
    });
    loadMembers().then(() => loadTickets(false));
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
      if (name === 'tickets') mountTickets();
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
