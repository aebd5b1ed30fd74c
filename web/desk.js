// The support desk: the customer's requests, the request form, a ticket's page
// (customer and staff), and the staff queues sorted by SLA time left.
import {
  h, api, state, clear, field, formError, onSubmit, select, table, link, when, duration,
  ago, statusBadge, humanCode, toast, errorBox, readFile, ACCEPT, download, isStaff, isPartner, isEmi,
  go, money,
} from './lib.js';
import { disputedLinesBox } from './statements.js';

const STATUSES = ['new', 'open', 'pending', 'solved', 'closed'];
const PRIORITIES = ['urgent', 'high', 'medium', 'low'];
const QUEUES = [['delivery', 'Delivery team'], ['customer_service', 'Customer service'], ['emi', 'EMI']];
const FIELD_WORDS = {
  request_id: 'the request id of the failed call',
  transaction_id: 'the id of the transaction concerned',
  user_id: 'the id of the end user whose account it is',
};

let categoriesCache = null;
async function categories() {
  if (!categoriesCache) categoriesCache = (await api('GET', '/v1/ticket-categories')).data;
  return categoriesCache;
}

let membersCache = null;
// Staff names by member id (from the queue teams), for assignee columns.
async function members() {
  if (membersCache) return membersCache;
  membersCache = new Map();
  if (!isStaff()) return membersCache;
  try {
    const d = await api('GET', '/v1/queues');
    d.data.forEach((q) => q.members.forEach((m) => membersCache.set(m.member_id, m)));
  } catch (e) { /* names are a help */ }
  if (state.member) membersCache.set(state.member.id, { member_id: state.member.id, name: state.member.name });
  return membersCache;
}
const memberName = (id, ms) => (!id ? '' : (ms.get(id) ? ms.get(id).name : id));

// ---------------------------------------------------------------------------
// SLA in words.

// The running clock's time left, with warning and breach marks.
export function slaCell(sla) {
  if (!sla) return '';
  let left = null;
  let warned = false;
  let which = '';
  if (sla.first_response_state === 'running') {
    left = sla.first_response_minutes_left; warned = sla.first_response_warned; which = 'first reply';
  } else if (sla.resolution_state === 'running' || sla.resolution_state === 'breached') {
    left = sla.resolution_minutes_left; warned = sla.resolution_warned; which = 'resolution';
  }
  const breached = sla.first_response_breached || sla.resolution_breached;
  const parts = [];
  if (typeof left === 'number') {
    parts.push(h('span', { class: left < 0 ? 'overdue' : '' },
      left < 0 ? duration(left) + ' overdue' : duration(left) + ' left'),
    h('span', { class: 'muted small' }, ' (' + which + ')'));
  } else {
    parts.push(h('span', { class: 'muted' }, sla.resolution_state === 'paused' ? 'paused (waiting on customer)' : sla.resolution_state));
  }
  if (breached) parts.push(' ', h('span', { class: 'badge breached' }, '⚠ breached'));
  else if (warned) parts.push(' ', h('span', { class: 'badge warned' }, '⏱ due soon'));
  return h('span', { class: 'sla' }, parts);
}

// The minutes left on the clock that runs (negative: overdue); Infinity when none runs.
function slaMinutesLeft(sla) {
  if (!sla) return Infinity;
  const left = [];
  if (sla.first_response_state === 'running' || sla.first_response_state === 'breached') left.push(sla.first_response_minutes_left);
  if (sla.resolution_state === 'running' || sla.resolution_state === 'breached') left.push(sla.resolution_minutes_left);
  const nums = left.filter((x) => typeof x === 'number');
  return nums.length ? Math.min(...nums) : Infinity;
}

// "We aim to answer by …" for the customer.
function expectedResponse(t) {
  const s = t.sla || {};
  const working = s.clock === 'working' ? ' Times count working hours: 08:00–17:00 New York time, Monday to Friday.' : '';
  if (t.status === 'closed') return 'This request is closed. Reply to open a follow-up.';
  if (t.status === 'solved') return 'This request is solved. Reply within 7 days to reopen it; it closes by itself after that.';
  if (t.status === 'pending') return 'We are waiting for your answer: reply below and we carry on.';
  if (s.first_response_state === 'running') {
    return 'We aim to send a first answer by ' + when(s.first_response_due) +
      (s.first_response_minutes_left >= 0 ? ' (within about ' + duration(s.first_response_minutes_left) + ').' : ' — it is late, and we are on it.') + working;
  }
  if (s.resolution_state === 'running') {
    return 'We aim to resolve it by ' + when(s.resolution_due) +
      (s.resolution_minutes_left >= 0 ? ' (within about ' + duration(s.resolution_minutes_left) + ').' : ' — it is late, and we are on it.') + working;
  }
  return '';
}

// ---------------------------------------------------------------------------
// The customer's lists.

export async function requestsView() {
  const tabs = [['mine', 'My requests'], ['cc', 'Requests I\'m CC\'d on']];
  if (state.member && state.member.org_admin) tabs.push(['all', 'All of my organisation']);
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  let view = 'mine';
  const root = h('div');
  const listOpen = h('section', { 'aria-labelledby': 'open-h' });
  const listClosed = h('section', { 'aria-labelledby': 'closed-h' });
  const tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Which requests' });
  async function load() {
    tablist.querySelectorAll('button').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.view === view)));
    clear(listOpen, h('h2', { id: 'open-h' }, 'Open'), h('p', { class: 'muted' }, 'Loading…'));
    clear(listClosed);
    try {
      const [open, closed] = await Promise.all([
        api('GET', '/v1/tickets?view=' + view + '&status=active&limit=200'),
        api('GET', '/v1/tickets?view=' + view + '&status=solved,closed&limit=50')]);
      clear(listOpen, h('h2', { id: 'open-h' }, 'Open'), requestTable(open.data, 'No open request.'));
      clear(listClosed, h('h2', { id: 'closed-h' }, 'Recently solved and closed'),
        requestTable(closed.data.slice().reverse().slice(0, 20), 'Nothing solved or closed yet.'));
    } catch (e) { clear(listOpen, errorBox(e)); }
  }
  tabs.forEach(([v, text]) => tablist.appendChild(h('button', {
    type: 'button', role: 'tab', 'data-view': v, class: 'tab',
    onclick: () => { view = v; load(); } }, text)));
  if (params.get('view')) view = params.get('view');
  root.append(h('div', { class: 'page-head' }, h('h1', null, 'Support requests'),
    link('#/requests/new', 'New request', { class: 'button primary' })), tablist, listOpen, listClosed);
  load();
  return root;
}

function requestTable(rows, empty) {
  return table(rows, [
    ['#', (t) => link('#/tickets/' + encodeURIComponent(t.id), '#' + t.number)],
    ['Subject', (t) => link('#/tickets/' + encodeURIComponent(t.id), t.subject)],
    ['Status', (t) => statusBadge(t.status)],
    ['Requester', (t) => t.requester.name || t.requester.email],
    ['Category', (t) => humanCode(t.category)],
    ['Updated', (t) => ago(t.updated_at)],
  ], { empty, class: 'requests' });
}

// ---------------------------------------------------------------------------
// The request form: category picker with definitions, the fields the
// category asks for, knowledge-base suggestions while the subject is typed.

export async function newRequestView() {
  const cats = await categories();
  let org = null;
  if (state.member && state.member.org_id && !isEmi()) {
    org = await api('GET', '/v1/orgs/' + encodeURIComponent(state.member.org_id)).catch(() => null);
  }
  const staff = isStaff();
  const picker = h('fieldset', { class: 'categories' }, h('legend', null, 'What is it about?'));
  for (const [family, title] of [['technical', 'Technical support'], ['emi', 'Payments, handled with the EMI (bank partner)']]) {
    const group = h('div', { class: 'cat-group' }, h('h3', null, title));
    for (const c of cats.filter((x) => x.family === family)) {
      const id = 'cat-' + c.name;
      group.appendChild(h('div', { class: 'cat' },
        h('input', { type: 'radio', name: 'category', id, value: c.name, 'aria-describedby': id + '-def' }),
        h('label', { for: id }, h('strong', null, c.title),
          h('span', { class: 'cat-def', id: id + '-def' }, c.definition))));
    }
    picker.appendChild(group);
  }
  picker.appendChild(h('p', { class: 'field-error', id: 'category-error', 'data-error-for': 'category' }));
  const guide = h('div', { class: 'notice info', hidden: true, 'aria-live': 'polite' });
  const emiBox = h('aside', { class: 'notice emi', hidden: true });
  const suggestions = h('div', { class: 'suggest', 'aria-live': 'polite' });
  const subject = h('input', { name: 'subject', required: true, maxlength: 200, autocomplete: 'off' });
  const txn = field('Transaction id', h('input', { name: 'transaction_id', maxlength: 128 }));
  const reqId = field('Request id of the failed call', h('input', { name: 'request_id', maxlength: 128 }),
    'The X-Request-Id header of the answer, or request_id in its error.');
  const userId = field('End user id', h('input', { name: 'user_id', maxlength: 128 }),
    'The id of the user whose account it is.');
  const files = h('input', { name: 'attachments', type: 'file', multiple: true, accept: ACCEPT });
  const filesField = field('Attachments', files, 'PDF, PNG, JPEG, GIF, text or CSV; up to about 700 KB in all.');
  const requesterFields = staff ? [
    field('Requester name', h('input', { name: 'requester_name', maxlength: 200 })),
    field('Requester email', h('input', { name: 'requester_email', type: 'email', required: true, maxlength: 254 })),
  ] : [];
  const form = h('form', { class: 'stack wide', novalidate: true },
    picker, guide, emiBox, requesterFields,
    field('Subject', subject, 'A short summary: suggestions from the help articles appear as you type.'),
    suggestions,
    field('Description', h('textarea', { name: 'description', rows: 6, required: true, maxlength: 20000 })),
    txn, reqId, userId,
    field('CC (colleagues to keep informed)', h('input', { name: 'cc', type: 'text', placeholder: 'a@example.com, b@example.com' }),
      'Separate addresses with commas.'),
    filesField,
    formError(),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Send request'),
      link('#/requests', 'Cancel', { class: 'button' })));
  const visible = { transaction_id: txn, request_id: reqId, user_id: userId };
  function chosen() { const r = form.querySelector('input[name=category]:checked'); return r ? cats.find((c) => c.name === r.value) : null; }
  function onCategory() {
    const c = chosen();
    const lines = [];
    if (c) {
      for (const [name, el] of Object.entries(visible)) el.hidden = !(c.recommended.includes(name) || (name === 'transaction_id' && c.family === 'emi') || name === 'transaction_id' && c.name === 'transaction');
      if (c.required.includes('attachments')) lines.push('A proof of claim is required: attach a bank statement, receipt or screenshot showing the date, the amount and the reference.');
      c.recommended.forEach((f) => lines.push('Please give ' + (FIELD_WORDS[f] || f) + '.'));
      if (c.escalation_after_hours) {
        lines.push('It reaches the EMI once pending ' + (c.escalation_after_hours >= 168 ? 'one week' : c.escalation_after_hours + ' hours') + '; before that we will ask you to wait.');
      }
      filesField.querySelector('label').textContent = c.required.includes('attachments') ? 'Proof of claim (required)' : 'Attachments';
    }
    guide.hidden = !lines.length;
    clear(guide, lines.map((l) => h('p', null, l)));
    emiBox.hidden = !(c && c.family === 'emi');
    if (c && c.family === 'emi') {
      const emi = org && org.emi;
      clear(emiBox, h('h3', null, 'Your EMI and the escalation procedure'),
        emi ? [h('p', null, h('strong', null, emi.name), ' · ', emi.contact_email),
          h('p', null, emi.escalation_procedure)]
          : h('p', null, 'Your organisation\'s EMI is not recorded: contact the payops customer office, who escalates for you.'));
    }
    suggest();
  }
  let timer = 0;
  let seq = 0;
  async function suggest() {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const c = chosen();
      const q = subject.value.trim();
      if (!q && !c) { clear(suggestions); return; }
      const params = new URLSearchParams();
      if (q) params.set('q', q);
      if (c && !q) params.set('category', c.name);
      params.set('limit', '5');
      const mine = ++seq;
      try {
        const d = await api('GET', '/v1/kb/search?' + params.toString().replace(/\+/g, '%20'));
        if (mine !== seq) return;
        clear(suggestions, d.data.length ? [h('h3', null, 'These articles may answer it'),
          d.data.map((a) => h('details', { class: 'kb' }, h('summary', null, a.title),
            h('p', null, a.snippet)))] : null);
      } catch (e) { clear(suggestions); }
    }, 250);
  }
  form.addEventListener('change', (ev) => { if (ev.target.name === 'category') onCategory(); });
  subject.addEventListener('input', suggest);
  Object.values(visible).forEach((el) => { el.hidden = true; });
  onSubmit(form, async () => {
    const c = chosen();
    if (!c) throw Object.assign(new Error('choose what the request is about'), { field: 'category' });
    const v = (n) => (form.elements[n] ? form.elements[n].value.trim() : '');
    const body = {
      requester: staff ? { name: v('requester_name'), email: v('requester_email') }
        : { name: state.member.name, email: state.member.email },
      category: c.name, subject: v('subject'), description: form.elements.description.value, channel: 'portal',
    };
    const cc = v('cc').split(',').map((s) => s.trim()).filter(Boolean);
    if (cc.length) body.cc = cc;
    for (const n of ['transaction_id', 'request_id', 'user_id']) if (v(n) && !visible[n].hidden) body[n] = v(n);
    const list = Array.from(files.files);
    if (list.length) body.attachments = await Promise.all(list.map(readFile));
    const t = await api('POST', '/v1/tickets', body, { idempotent: true });
    toast('Request #' + t.number + ' sent. We emailed you an acknowledgement.');
    go('#/tickets/' + encodeURIComponent(t.id));
  });
  return h('div', null, h('h1', null, 'New support request'), form);
}

// ---------------------------------------------------------------------------
// A ticket's page.

export async function ticketView(id) {
  let t;
  try {
    t = await api('GET', '/v1/tickets/' + encodeURIComponent(id));
  } catch (e) {
    if (e.status === 404) {
      return h('div', null, h('h1', null, 'Request not found'),
        h('p', null, 'There is no request with this link that you may see. It may belong to another organisation, or the link is mistyped.'),
        h('p', null, link(isPartner() ? '#/requests' : '#/queue', 'Back to the list')));
    }
    throw e;
  }
  const ms = await members();
  const root = h('div', { class: 'ticket' });
  render();
  return root;

  function render() {
    const staff = isStaff();
    clear(root,
      h('p', null, link(isPartner() ? '#/requests' : '#/queue', '← ' + (isPartner() ? 'All requests' : 'Queue'))),
      h('div', { class: 'page-head' }, h('h1', null, h('span', { class: 'muted' }, '#' + t.number + ' '), t.subject),
        statusBadge(t.status)),
      (t.warnings || []).length ? h('ul', { class: 'notice warn' }, t.warnings.map((w) =>
        h('li', null, 'Missing: ' + (FIELD_WORDS[w] || w)))) : null,
      isPartner() ? h('p', { class: 'notice info', role: 'status' }, expectedResponse(t)) : null,
      h('div', { class: 'cols' },
        h('div', { class: 'col-main' }, conversation(), replyForm(), staff ? historyBox() : null),
        h('aside', { class: 'col-side' }, facts(), transactionBox(), disputedLinesBox(t, () => go('#/tickets/' + encodeURIComponent(t.id))), attachmentsBox(), staff ? triageForm() : null)));
  }

  function facts() {
    const r = t.requester || {};
    const rows = [
      ['Status', statusBadge(t.status)],
      ['Requester', (r.name ? r.name + ' ' : '') + '<' + r.email + '>'],
      ['CC', (t.cc || []).join(', ') || '—'],
      ['Category', humanCode(t.category)],
      ['Priority', h('span', { class: 'badge prio-' + t.priority }, t.priority)],
    ];
    if (!isPartner()) {
      rows.push(['Queue', humanCode(t.queue)], ['Assignee', memberName(t.assignee_id, ms) || 'nobody'],
        ['Channel', t.channel], ['SLA', slaCell(t.sla)],
        ['First reply due', when(t.sla.first_response_due) + ' (' + t.sla.first_response_state + ')'],
        ['Resolution due', when(t.sla.resolution_due) + ' (' + t.sla.resolution_state + ')']);
    }
    rows.push(['Opened', when(t.created_at)]);
    if (t.request_id) rows.push(['Request id', h('code', null, t.request_id)]);
    if (t.user_id) rows.push(['End user', isStaff() || isPartner() ? link('#/users/' + encodeURIComponent(t.user_id), t.user_id) : t.user_id]);
    if (t.follow_up_of) rows.push(['Follow-up of', link('#/tickets/' + encodeURIComponent(t.follow_up_of), t.follow_up_of)]);
    return h('section', { class: 'box' }, h('h2', null, 'Details'),
      h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])));
  }

  function transactionBox() {
    const x = t.transaction;
    if (!x) return t.transaction_id ? h('section', { class: 'box' }, h('h2', null, 'Transaction'),
      h('p', { class: 'muted' }, t.transaction_id + ' (not shown)')) : null;
    return h('section', { class: 'box' }, h('h2', null, 'Transaction'),
      h('dl', { class: 'facts' },
        h('dt', null, 'Id'), h('dd', null, isEmi() ? x.id : link('#/transactions/' + encodeURIComponent(x.id), x.id)),
        h('dt', null, 'Status'), h('dd', null, statusBadge(x.status)),
        h('dt', null, 'Amount'), h('dd', null, money(x.amount, x.currency)),
        x.settlement_date ? [h('dt', null, 'Settlement date'), h('dd', null, x.settlement_date)] : null,
        x.hold ? [h('dt', null, 'Hold reason'), h('dd', null, h('code', null, x.hold.reason)),
          h('dt', null, 'Why'), h('dd', null, x.hold.explanation),
          h('dt', null, 'Next action'), h('dd', null, x.hold.next_action)] : null));
  }

  function attachmentsBox() {
    if (!t.attachments || !t.attachments.length) return null;
    return h('section', { class: 'box' }, h('h2', null, 'Attachments'),
      h('ul', { class: 'attachments' }, t.attachments.map((a) => h('li', null,
        h('button', { type: 'button', class: 'linklike', onclick: () => download('/v1/tickets/' +
          encodeURIComponent(t.id) + '/attachments/' + encodeURIComponent(a.id), a.filename).catch((e) => toast(e.message, true)) },
        'Download ', h('span', { class: 'filename' }, a.filename)),
        h('span', { class: 'muted small' }, ' ' + a.content_type + ', ' + a.size_bytes + ' bytes')))));
  }

  function conversation() {
    const r = t.requester || {};
    const items = [h('article', { class: 'msg customer' },
      h('header', null, h('strong', null, r.name || r.email), h('span', { class: 'muted small' }, ' opened it · ' + when(t.created_at))),
      h('p', { class: 'body' }, t.description))];
    for (const m of t.messages || []) {
      items.push(h('article', { class: 'msg ' + (m.internal ? 'internal' : m.author_kind) },
        h('header', null, h('strong', null, m.author_name),
          h('span', { class: 'muted small' }, ' · ' + humanCode(m.author_kind) + ' · ' + when(m.created_at)),
          m.internal ? h('span', { class: 'badge note' }, 'Internal note — staff only') : null),
        h('p', { class: 'body' }, m.body)));
    }
    return h('section', { 'aria-labelledby': 'conv-h' }, h('h2', { id: 'conv-h' }, 'Conversation'), items);
  }

  function replyForm() {
    const staff = isStaff();
    const files = h('input', { name: 'attachments', type: 'file', multiple: true, accept: ACCEPT });
    const form = h('form', { class: 'stack reply', novalidate: true },
      field(staff ? 'Message' : 'Your reply', h('textarea', { name: 'body', rows: 5, required: true, maxlength: 20000 })),
      field('Attachments', files),
      formError(),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', value: 'public' }, staff ? 'Send public reply to customer' : 'Send reply'),
        staff ? h('button', { type: 'submit', class: 'note', value: 'internal' }, 'Add internal note (staff only)') : null));
    onSubmit(form, async (submitter) => {
      const body = form.elements.body.value;
      if (!body.trim()) throw Object.assign(new Error('write a message first'), { field: 'body' });
      const internal = !!submitter && submitter.value === 'internal';
      const msg = { body, internal };
      const list = Array.from(files.files);
      if (list.length) msg.attachments = await Promise.all(list.map(readFile));
      t = await api('POST', '/v1/tickets/' + encodeURIComponent(t.id) + '/messages', msg, { idempotent: true });
      toast(internal ? 'Internal note added.' : 'Reply sent.');
      render();
    });
    return h('section', { class: 'box' }, h('h2', null, staff ? 'Reply or note' : 'Reply'),
      staff ? h('p', { class: 'muted small' }, 'A public reply is emailed to the requester and the CCs. An internal note is seen by staff only.') : null,
      form);
  }

  function triageForm() {
    const options = [['', 'nobody']].concat(Array.from(ms.values()).map((m) => [m.member_id, m.name]));
    if (t.assignee_id && !ms.has(t.assignee_id)) options.push([t.assignee_id, t.assignee_id]);
    const form = h('form', { class: 'stack', novalidate: true },
      field('Assignee', select('assignee_id', options, t.assignee_id || '')),
      field('Priority', select('priority', PRIORITIES, t.priority)),
      field('Status', select('status', STATUSES, t.status)),
      formError(),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save triage')));
    onSubmit(form, async () => {
      const patch = {};
      const a = form.elements.assignee_id.value;
      if (a !== (t.assignee_id || '')) patch.assignee_id = a || null;
      if (form.elements.priority.value !== t.priority) patch.priority = form.elements.priority.value;
      if (form.elements.status.value !== t.status) patch.status = form.elements.status.value;
      if (!Object.keys(patch).length) { toast('Nothing changed.'); return; }
      t = await api('PATCH', '/v1/tickets/' + encodeURIComponent(t.id), patch);
      toast('Ticket #' + t.number + ' updated.');
      render();
    });
    return h('section', { class: 'box' }, h('h2', null, 'Triage'), form);
  }

  function historyBox() {
    if (!t.history || !t.history.length) return null;
    return h('section', null, h('h2', null, 'History'), table(t.history, [
      ['When', (e) => when(e.at)],
      ['Who', (e) => e.actor_name || memberName(e.actor, ms) || e.actor],
      ['What', (e) => humanCode(e.field)],
      ['Change', (e) => {
        const v = (x) => (x === null ? '—' : e.field === 'assignee' ? memberName(x, ms) : x);
        return v(e.from) + ' → ' + v(e.to);
      }],
      ['Why', (e) => humanCode(e.reason)],
    ]));
  }
}

// ---------------------------------------------------------------------------
// Staff and EMI: the queue, sorted by SLA time left.

export async function queueView() {
  const ms = await members();
  const staff = isStaff();
  const filters = h('form', { class: 'filters', novalidate: true },
    staff ? field('Show', select('view', [['all', 'all tickets'], ['mine', 'assigned to me']], 'all')) : null,
    staff ? field('Queue', select('queue', [['', 'every queue']].concat(QUEUES), '')) : null,
    field('Status', select('status', [['active', 'active (new, open, pending)'], ['', 'any']].concat(STATUSES), 'active')),
    staff ? field('Assignee', select('assignee_id', [['', 'anyone']].concat(Array.from(ms.values()).map((m) => [m.member_id, m.name])), '')) : null,
    field('Priority', select('priority', [['', 'any']].concat(PRIORITIES), '')),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Apply filters')));
  const out = h('div', { 'aria-live': 'polite' });
  const more = h('button', { type: 'button', hidden: true }, 'Show more');
  let rows = [];
  let cursor = null;
  async function load(next) {
    const p = new URLSearchParams({ sort: 'sla', limit: '100' });
    for (const n of ['view', 'queue', 'status', 'assignee_id']) {
      const el = filters.elements[n];
      if (el && el.value) p.set(n, el.value);
    }
    if (next && cursor) p.set('cursor', cursor);
    try {
      const d = await api('GET', '/v1/tickets?' + p.toString());
      rows = next ? rows.concat(d.data) : d.data;
      cursor = d.next_cursor;
      renderRows();
    } catch (e) { clear(out, errorBox(e)); }
  }
  function renderRows() {
    const prio = filters.elements.priority.value;
    // Breached and overdue first, then by time left; stopped clocks last.
    const shown = (prio ? rows.filter((t) => t.priority === prio) : rows.slice())
      .sort((a, b) => slaMinutesLeft(a.sla) - slaMinutesLeft(b.sla));
    clear(out, ticketTable(shown, ms));
    more.hidden = !cursor;
  }
  filters.addEventListener('submit', (ev) => { ev.preventDefault(); load(false); });
  filters.addEventListener('change', () => load(false));
  more.addEventListener('click', () => load(true));
  load(false);
  return h('div', null,
    h('div', { class: 'page-head' }, h('h1', null, isEmi() ? 'EMI queue' : 'Tickets'),
      staff ? link('#/requests/new', 'Open a ticket', { class: 'button' }) : null),
    h('p', { class: 'muted' }, 'Sorted by SLA time left: the most urgent first.'),
    filters, out, more);
}

export function ticketTable(rows, ms) {
  return table(rows, [
    // Column widths: table.queue in style.css (a fixed layout from the header
    // cells' widths measured fastest for 500 rows, ahead of a <colgroup>).
    ['#', (t) => link('#/tickets/' + encodeURIComponent(t.id), '#' + t.number)],
    ['Subject', (t) => link('#/tickets/' + encodeURIComponent(t.id), t.subject)],
    ['SLA', (t) => slaCell(t.sla)],
    ['Priority', (t) => h('span', { class: 'badge prio-' + t.priority }, t.priority)],
    ['Status', (t) => statusBadge(t.status)],
    ['Queue', (t) => humanCode(t.queue)],
    ['Assignee', (t) => memberName(t.assignee_id, ms) || h('span', { class: 'muted' }, 'unassigned')],
    ['Requester', (t) => t.requester.name || t.requester.email],
  ], { empty: 'No ticket matches.', class: 'queue', rowAttrs: (t) => ({ class: (t.sla && (t.sla.first_response_breached || t.sla.resolution_breached)) ? 'row-breached' : '' }) });
}

