// Operations: the held-transactions dashboard, transactions and their page,
// ACH batches, end users, the knowledge base and the sandbox clock.
import {
  h, api, state, clear, field, checkbox, formError, onSubmit, select, table, link, when, duration,
  ago, ageMinutes, statusBadge, humanCode, toast, errorBox, download, isStaff, isPartner, money, go,
} from './lib.js';
import { ticketTable } from './desk.js';

const TXN_STATUSES = ['INITIATED', 'HOLD', 'PENDING', 'PROCESSED', 'CANCELED', 'REFUNDED', 'RETURNED'];
const AGES = [['', 'any age'], ['60', 'held over 1 hour'], ['1440', 'held over 24 hours'], ['4320', 'held over 3 days']];

let orgsCache = null;
async function orgs() {
  if (orgsCache) return orgsCache;
  orgsCache = new Map();
  if (!isStaff()) return orgsCache;
  try {
    const d = await api('GET', '/v1/orgs?limit=500');
    d.data.forEach((o) => orgsCache.set(o.id, o));
  } catch (e) { /* names are a help */ }
  return orgsCache;
}
const orgName = (id, os) => (os.get(id) ? os.get(id).name : id);

// A small dialog form for an action that needs a note; resolves on success.
function actionDialog(title, explain, fields, submitText, run) {
  const form = h('form', { class: 'stack', method: 'dialog', novalidate: true },
    h('h2', null, title), explain ? h('p', null, explain) : null, fields, formError(),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, submitText),
      h('button', { type: 'button', value: 'cancel', onclick: () => dlg.close() }, 'Close without doing it')));
  const dlg = h('dialog', { class: 'dialog', 'aria-label': title }, form);
  document.body.appendChild(dlg);
  dlg.addEventListener('close', () => dlg.remove());
  onSubmit(form, async () => {
    await run(form);
    dlg.close();
  });
  dlg.showModal();
  const first = form.querySelector('textarea, input, select');
  if (first) first.focus();
}

const note = (label, required) => field(label + (required ? ' (required)' : ''),
  h('textarea', { name: 'note', rows: 3, maxlength: 2000, required: !!required }));

// The actions a held transaction allows to the signed-in person, as buttons.
function holdActions(t, done) {
  const paths = (t.hold && t.hold.release_paths) || [];
  const out = [];
  const url = (a) => '/v1/transactions/' + encodeURIComponent(t.id) + '/' + a;
  // A hold lifted only automatically (KYC verified) has no Release button; one
  // whose only release by hand skips the balance check has the box ticked.
  const byHand = paths.filter((p) => p.startsWith('agent_release'));
  const skipOnly = byHand.length === 1 && byHand[0] === 'agent_release_skip_balance_check';
  if (isStaff() && byHand.length) {
    out.push(h('button', { type: 'button', class: 'primary small', onclick: () => actionDialog(
      'Release ' + t.id, t.hold ? t.hold.next_action : null,
      [note('Note', true), paths.includes('agent_release_skip_balance_check') && t.funding.type === 'ach'
        ? checkbox('Skip the balance check (the transaction may come back as an insufficient-funds return)' +
          (skipOnly ? ': the only way to release this hold by hand' : ''), h('input', { name: 'skip_balance_check', checked: skipOnly })) : null],
      'Release transaction', async (f) => {
        const r = await api('POST', url('release'), { note: f.elements.note.value.trim(),
          skip_balance_check: !!(f.elements.skip_balance_check && f.elements.skip_balance_check.checked) }, { idempotent: true });
        toast(r.id + ' released: now ' + r.status + '.');
        done(r);
      }) }, 'Release'));
  }
  if (isStaff()) {
    if (paths.includes('agent_retry_balance_check')) {
      out.push(h('button', { type: 'button', class: 'small', onclick: async () => {
        try {
          const r = await api('POST', url('retry-balance-check'), {}, { idempotent: true });
          toast('Balance check run again: ' + r.id + ' is ' + r.status + '.');
          done(r);
        } catch (e) { toast(e.message, true); }
      } }, 'Retry balance check'));
    }
    out.push(h('button', { type: 'button', class: 'danger small', onclick: () => actionDialog(
      'Cancel ' + t.id, 'The transaction is canceled for good; the user must send it again.',
      [note('Why', true)], 'Cancel transaction', async (f) => {
        const r = await api('POST', url('cancel'), { note: f.elements.note.value.trim() }, { idempotent: true });
        toast(r.id + ' canceled.');
        done(r);
      }) }, 'Cancel'));
  }
  if (isStaff()) {
    out.push(h('button', { type: 'button', class: 'small', onclick: () => actionDialog(
      'Ask the partner to review ' + t.id,
      'Opens a ticket to the organisation\'s partner staff, linked to this transaction, with the hold reason and the next action; they reply whether to process or cancel it. The request is recorded in the transaction\'s history.',
      [note('Note to the partner', false)], 'Send to the partner', async (f) => {
        const r = await api('POST', url('partner-review'), { note: f.elements.note.value.trim() }, { idempotent: true });
        toast('Partner review requested: ticket #' + r.ticket_number + ' sent to ' + r.requester_email + '.');
        done(null, r);
      }) }, 'Request partner review'));
  }
  if (isPartner() || (state.member && state.member.role === 'admin')) {
    out.push(h('button', { type: 'button', class: 'small', onclick: () => actionDialog(
      'Ask payops to review ' + t.id, 'Opens a ticket for the payops team, linked to this transaction.',
      [field('What should happen', select('action', [['release', 'release it'], ['cancel', 'cancel it']], 'release')),
        note('Why', true)], 'Send review request', async (f) => {
        const r = await api('POST', url('review-requests'), { action: f.elements.action.value,
          note: f.elements.note.value.trim() }, { idempotent: true });
        toast('Review requested: ticket #' + (r.ticket_number || '') + ' opened.');
        done(null);
      }) }, 'Request review'));
  }
  return h('div', { class: 'row-actions' }, out);
}

// ---------------------------------------------------------------------------
// Held transactions.

export async function holdsView() {
  const os = await orgs();
  const counts = h('div', { class: 'counts', 'aria-live': 'polite' });
  const filters = h('form', { class: 'filters', novalidate: true },
    field('Hold reason', select('hold_reason', [['', 'every reason']], '')),
    isStaff() ? field('Organisation', select('org_id', [['', 'every organisation']].concat(
      Array.from(os.values()).map((o) => [o.id, o.name])), '')) : null,
    field('Age', select('age', AGES, '')),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Apply filters')));
  const out = h('div');
  const more = h('button', { type: 'button', hidden: true }, 'Show more');
  let rows = [];
  let cursor = null;
  let reasons = [];
  const reviews = new Map();  // transaction id → the partner review just requested
  async function loadCounts() {
    const p = new URLSearchParams();
    if (filters.elements.org_id && filters.elements.org_id.value) p.set('org_id', filters.elements.org_id.value);
    const d = await api('GET', '/v1/transactions/hold-counts?' + p.toString());
    reasons = d.data;
    const sel = filters.elements.hold_reason;
    const current = sel.value;
    clear(sel, h('option', { value: '' }, 'every reason (' + d.total + ')'),
      d.data.map((r) => h('option', { value: r.reason, selected: r.reason === current }, humanCode(r.reason) + ' (' + r.count + ')')));
    clear(counts, h('h2', { class: 'sr-only' }, 'Held transactions per reason'),
      h('ul', null, h('li', null, h('button', { type: 'button', class: 'count' + (current ? '' : ' active'), 'aria-pressed': String(!current),
        onclick: () => { sel.value = ''; load(false); } }, h('span', { class: 'n' }, String(d.total)), h('span', null, 'all held'))),
      d.data.map((r) => h('li', null, h('button', { type: 'button', class: 'count' + (r.count ? '' : ' zero') + (current === r.reason ? ' active' : ''),
        'aria-pressed': String(current === r.reason), onclick: () => { sel.value = r.reason; load(false); } },
      h('span', { class: 'n' }, String(r.count)), h('span', null, humanCode(r.reason)))))));
  }
  async function load(next) {
    const p = new URLSearchParams({ status: 'HOLD', limit: '200' });
    const reason = filters.elements.hold_reason.value;
    if (reason) p.set('hold_reason', reason);
    if (filters.elements.org_id && filters.elements.org_id.value) p.set('org_id', filters.elements.org_id.value);
    if (next && cursor) p.set('cursor', cursor);
    try {
      if (!next) await loadCounts();
      const d = await api('GET', '/v1/transactions?' + p.toString());
      rows = next ? rows.concat(d.data) : d.data;
      cursor = d.next_cursor;
      render();
    } catch (e) { clear(out, errorBox(e)); }
  }
  function render() {
    const age = Number(filters.elements.age.value || 0);
    const shown = rows.filter((t) => t.status === 'HOLD' && (!age || ageMinutes(t.updated_at) >= age))
      .sort((a, b) => a.updated_at.localeCompare(b.updated_at));
    const reason = filters.elements.hold_reason.value;
    const info = reasons.find((r) => r.reason === reason);
    clear(out,
      info ? h('div', { class: 'notice info' }, h('p', null, h('strong', null, humanCode(info.reason) + ': '), info.explanation),
        h('p', null, h('strong', null, 'Next action: '), info.next_action)) : null,
      table(shown, [
        ['Transaction', (t) => link('#/transactions/' + encodeURIComponent(t.id), t.id)],
        ['Hold reason', (t) => h('div', null, h('code', null, t.hold ? t.hold.reason : ''),
          t.hold ? h('p', { class: 'small' }, t.hold.explanation) : null)],
        ['Next action', (t) => t.hold ? t.hold.next_action : ''],
        ['Held for', (t) => h('span', { title: when(t.updated_at) }, duration(ageMinutes(t.updated_at)))],
        ['Organisation', (t) => orgName(t.org_id, os)],
        ['Amount', (t) => money(t.amount, t.currency), 'num'],
        ['Actions', (t) => [reviews.has(t.id) ? h('p', { class: 'small' }, 'Partner review requested: ',
          link('#/tickets/' + encodeURIComponent(reviews.get(t.id).ticket_id), 'ticket #' + reviews.get(t.id).ticket_number)) : null,
        holdActions(t, (r, review) => {
          if (review) reviews.set(t.id, review);
          if (r) { const i = rows.findIndex((x) => x.id === r.id); if (i >= 0) rows[i] = r; }
          loadCounts().catch(() => {});
          render();
        })]],
      ], { empty: 'No transaction is held' + (reason ? ' for this reason' : '') + '.', class: 'holds' }));
    more.hidden = !cursor;
  }
  filters.addEventListener('submit', (ev) => { ev.preventDefault(); load(false); });
  filters.addEventListener('change', (ev) => { if (ev.target.name === 'age') render(); else load(false); });
  more.addEventListener('click', () => load(true));
  load(false);
  return h('div', null, h('h1', null, 'Held transactions'),
    h('p', { class: 'muted' }, 'Every transaction on hold, the oldest first, with why it is held and what to do next.'),
    counts, filters, out, more);
}

// ---------------------------------------------------------------------------
// Transactions.

export async function transactionsView() {
  const find = h('form', { class: 'filters', novalidate: true },
    field('Transaction id', h('input', { name: 'id', placeholder: 'txn_…' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Open')));
  find.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const id = find.elements.id.value.trim();
    if (id) go('#/transactions/' + encodeURIComponent(id));
  });
  const filters = h('form', { class: 'filters', novalidate: true },
    field('Status', select('status', [['', 'any']].concat(TXN_STATUSES), '')),
    field('End user id', h('input', { name: 'user_id' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Apply filters')));
  const out = h('div');
  async function load() {
    const p = new URLSearchParams({ limit: '200' });
    for (const n of ['status', 'user_id']) if (filters.elements[n].value.trim()) p.set(n, filters.elements[n].value.trim());
    try {
      const d = await api('GET', '/v1/transactions?' + p.toString());
      clear(out, transactionTable(d.data));
    } catch (e) { showFieldOrBox(filters, out, e); }
  }
  filters.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  load();
  return h('div', null, h('h1', null, 'Transactions'), find, filters, out);
}

function showFieldOrBox(form, out, e) {
  const line = e.field && form.querySelector('[data-error-for="' + e.field + '"]');
  if (line) line.textContent = e.message;
  else clear(out, errorBox(e));
}

export function transactionTable(rows) {
  return table(rows, [
    ['Id', (t) => link('#/transactions/' + encodeURIComponent(t.id), t.id)],
    ['Status', (t) => [statusBadge(t.status), t.hold ? h('span', { class: 'small' }, ' ' + humanCode(t.hold.reason)) : null], null, '13rem'],
    ['Amount', (t) => money(t.amount, t.currency), 'num', '9rem'],
    ['Funding', (t) => humanCode(t.funding.type), null, '6rem'],
    ['Corridor', (t) => t.corridor, null, '6rem'],
    ['Created', (t) => when(t.created_at), null, '13rem'],
  ], { empty: 'No transaction matches.', class: 'txns', fixed: true });
}

export async function transactionView(id) {
  let t;
  try {
    t = await api('GET', '/v1/transactions/' + encodeURIComponent(id));
  } catch (e) {
    if (e.status === 404) return h('div', null, h('h1', null, 'Transaction not found'), h('p', null, 'No transaction with this id that you may see.'));
    throw e;
  }
  const root = h('div');
  const [funding, tickets, user] = await Promise.all([
    api('GET', '/v1/users/' + encodeURIComponent(t.user_id) + '/' + (t.funding.type === 'ach' ? 'bank-accounts' : 'cards'))
      .then((d) => d.data.find((f) => f.id === t.funding.id)).catch(() => null),
    api('GET', '/v1/tickets?transaction_id=' + encodeURIComponent(t.id) + '&limit=50').then((d) => d.data).catch(() => []),
    api('GET', '/v1/users/' + encodeURIComponent(t.user_id)).catch(() => null)]);
  const render = () => {
    const risk = t.risk;
    clear(root,
      h('p', null, link('#/holds', '← Held transactions'), ' · ', link('#/transactions', 'All transactions')),
      h('div', { class: 'page-head' }, h('h1', null, 'Transaction ', h('code', null, t.id)), statusBadge(t.status)),
      t.hold ? h('div', { class: 'notice warn' }, h('p', null, h('strong', null, 'On hold: ' + humanCode(t.hold.reason) + '. '), t.hold.explanation),
        h('p', null, h('strong', null, 'Next action: '), t.hold.next_action), holdActions(t, async (r, review) => {
          if (r) t = r;
          if (review) t = await api('GET', '/v1/transactions/' + encodeURIComponent(t.id)).catch(() => t);
          render();
        })) : null,
      h('div', { class: 'cols' },
        h('div', { class: 'col-main' },
          h('section', { class: 'box' }, h('h2', null, 'Money'), h('dl', { class: 'facts' },
            h('dt', null, 'Amount'), h('dd', null, money(t.amount, t.currency)),
            h('dt', null, 'Fee'), h('dd', null, money(t.fee, t.currency)),
            h('dt', null, 'Total debited'), h('dd', null, money(t.amount + t.fee, t.currency)),
            h('dt', null, 'Payout currency'), h('dd', null, t.payout_currency),
            h('dt', null, 'Corridor'), h('dd', null, t.corridor))),
          h('section', { class: 'box' }, h('h2', null, 'Status history'), table(t.history || [], [
            ['When', (e) => when(e.at)], ['From', (e) => e.from || '—'], ['To', (e) => e.to],
            ['Who', (e) => e.actor_name || e.actor], ['Reason', (e) => humanCode(e.reason)], ['Note', (e) => e.note || '']])),
          h('section', { class: 'box' }, h('h2', null, 'Linked tickets'), ticketTable(tickets, new Map())),
          actionsBox()),
        h('aside', { class: 'col-side' },
          h('section', { class: 'box' }, h('h2', null, 'Risk'), risk ? [
            h('p', null, h('span', { class: 'risk-score risk-' + risk.band }, String(risk.score)), ' / 100 · ', risk.band),
            h('ul', null, (risk.reasons || []).map((r) => h('li', null, humanCode(r.code) + ': ' + r.points + ' points')))]
            : h('p', { class: 'muted' }, 'Not scored yet.')),
          h('section', { class: 'box' }, h('h2', null, 'Funding and settlement'), h('dl', { class: 'facts' },
            h('dt', null, 'Funding'), h('dd', null, t.funding.type === 'ach'
              ? (funding ? 'Bank account ' + funding.account_number + ' (routing ' + funding.routing_number + ', ' + funding.bank_status + ')' : 'Bank account')
              : (funding ? 'Debit card ending ' + funding.last4 : 'Debit card')),
            h('dt', null, 'Batch'), h('dd', null, t.batch_id || '—'),
            h('dt', null, 'Settlement date'), h('dd', null, t.settlement_date || '—'),
            h('dt', null, 'Trace number'), h('dd', null, t.trace_number || '—'),
            t.cancel_reason ? [h('dt', null, 'Cancel reason'), h('dd', null, humanCode(t.cancel_reason))] : null,
            t.return_code ? [h('dt', null, 'Return'), h('dd', null, t.return_code)] : null)),
          h('section', { class: 'box' }, h('h2', null, 'End user'), h('dl', { class: 'facts' },
            h('dt', null, 'Name'), h('dd', null, user ? link('#/users/' + encodeURIComponent(user.id), user.name) : t.user_id),
            user ? [h('dt', null, 'KYC'), h('dd', null, statusBadge(user.kyc_status)), h('dt', null, 'Tier'), h('dd', null, String(user.tier))] : null,
            h('dt', null, 'IP country'), h('dd', null, t.ip_country || '—'),
            h('dt', null, 'Device'), h('dd', null, t.device_id),
            h('dt', null, 'Created'), h('dd', null, when(t.created_at)))))));
  };
  function actionsBox() {
    if (!isStaff() && !isPartner()) return null;
    const url = (a) => '/v1/transactions/' + encodeURIComponent(t.id) + '/' + a;
    const done = (r) => { t = r; render(); };
    const b = [];
    if (t.status === 'PENDING' || t.status === 'INITIATED') {
      b.push(h('button', { type: 'button', class: 'danger', onclick: () => actionDialog('Cancel ' + t.id,
        'A pending transaction can be canceled within 30 minutes of creation while its batch is open; otherwise it needs a refund once processed.',
        [note('Why', isStaff())], 'Cancel transaction', async (f) => done(await api('POST', url('cancel'), { note: f.elements.note.value.trim() }, { idempotent: true }))) }, 'Cancel'));
    }
    if (t.status === 'PROCESSED' && isStaff()) {
      b.push(h('button', { type: 'button', onclick: () => actionDialog('Refund ' + t.id, 'The money goes back to the sender.',
        [note('Why', false)], 'Refund', async (f) => done(await api('POST', url('refund'), { note: f.elements.note.value.trim() }, { idempotent: true }))) }, 'Refund'));
      if (t.funding.type === 'ach') {
        b.push(h('button', { type: 'button', onclick: () => actionDialog('Record a return of ' + t.id, 'The receiving bank returned the entry.',
          [field('NACHA return code', h('input', { name: 'code', required: true, placeholder: 'R01', maxlength: 3 }))],
          'Record return', async (f) => done(await api('POST', url('return'), { code: f.elements.code.value.trim() }, { idempotent: true }))) }, 'Return'));
      } else {
        b.push(h('button', { type: 'button', onclick: () => actionDialog('Record a chargeback of ' + t.id, 'The card holder disputed the payment.',
          [field('Chargeback reason', h('input', { name: 'reason', required: true, maxlength: 200 }))],
          'Record chargeback', async (f) => done(await api('POST', url('chargeback'), { reason: f.elements.reason.value.trim() }, { idempotent: true }))) }, 'Chargeback'));
      }
    }
    if (!b.length) return null;
    return h('section', { class: 'box' }, h('h2', null, 'Actions'), h('div', { class: 'row-actions' }, b));
  }
  render();
  return root;
}

// ---------------------------------------------------------------------------
// ACH batches.

export async function batchesView() {
  const filters = h('form', { class: 'filters', novalidate: true },
    field('Batch date', h('input', { name: 'date', type: 'date' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Show'), h('button', { type: 'button', onclick: () => { filters.elements.date.value = ''; load(); } }, 'All dates')));
  const out = h('div');
  async function load() {
    const p = new URLSearchParams({ limit: '100' });
    if (filters.elements.date.value) p.set('date', filters.elements.date.value);
    try {
      const d = await api('GET', '/v1/ach/batches?' + p.toString());
      const rows = d.data.slice().sort((a, b) => b.batch_date.localeCompare(a.batch_date));
      clear(out, table(rows, [
        ['Batch', (b) => b.id], ['Date', (b) => b.batch_date], ['Status', (b) => statusBadge(b.status)],
        ['Entries', (b) => String(b.entry_count), 'num'], ['Total', (b) => money(b.total_debit, b.currency), 'num'],
        ['Closed', (b) => when(b.closed_at)], ['Settled', (b) => (b.settled_at ? when(b.settled_at) : 'not yet')],
        ['NACHA file', (b) => h('button', { type: 'button', class: 'small', onclick: () => download('/v1/ach/batches/' + encodeURIComponent(b.id) + '/nacha', b.id + '.ach').catch((e) => toast(e.message, true)) }, 'Download ' + b.id + '.ach')],
      ], { empty: 'No closed batch' + (filters.elements.date.value ? ' on that date' : '') + '.' }),
      h('p', { class: 'muted small' }, 'Batches close at 07:00 Los Angeles time on business days and settle by 12:00.'));
    } catch (e) { showFieldOrBox(filters, out, e); }
  }
  filters.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  load();
  return h('div', null, h('h1', null, 'ACH batches'), filters, out);
}

// ---------------------------------------------------------------------------
// End users.

export async function usersView() {
  const os = await orgs();
  const out = h('div');
  try {
    const d = await api('GET', '/v1/users?limit=500');
    clear(out, table(d.data, [
      ['Name', (u) => link('#/users/' + encodeURIComponent(u.id), u.name)],
      ['Email', (u) => u.email], ['Organisation', (u) => orgName(u.org_id, os)],
      ['KYC', (u) => statusBadge(u.kyc_status)], ['Tier', (u) => String(u.tier), 'num'],
      ['Country', (u) => u.country + (u.state ? '-' + u.state : '')],
    ], { empty: 'No end user yet.' }));
  } catch (e) { clear(out, errorBox(e)); }
  return h('div', null, h('h1', null, 'End users'), out);
}

// "used / limit" with a bar, for one limit window.
function usage(label, used, limit, currency) {
  const pct = limit ? Math.min(100, Math.round((used * 100) / limit)) : 0;
  return [h('dt', null, label), h('dd', null, money(used, currency) + ' of ' + money(limit, currency) + ' (' + pct + ' %)',
    h('progress', { max: 100, value: pct, 'aria-label': label + ': ' + pct + ' % of the limit used' }))];
}

export async function userView(id) {
  const u = await api('GET', '/v1/users/' + encodeURIComponent(id));
  const since30 = new Date(Date.now() - 30 * 86400000).toISOString();
  const [banks, cards, txns, limits] = await Promise.all([
    api('GET', '/v1/users/' + encodeURIComponent(id) + '/bank-accounts').then((d) => d.data).catch(() => []),
    api('GET', '/v1/users/' + encodeURIComponent(id) + '/cards').then((d) => d.data).catch(() => []),
    api('GET', '/v1/transactions?limit=500&user_id=' + encodeURIComponent(id) + '&created_from=' + encodeURIComponent(since30)).then((d) => d.data).catch(() => []),
    api('GET', '/v1/users/' + encodeURIComponent(id) + '/limits').catch(() => null)]);
  const win = (name) => (limits ? limits.windows.find((w) => w.window === name) : null);
  const day = win('24h');
  const month = win('30d');
  return h('div', null,
    h('p', null, link('#/users', '← End users')),
    h('div', { class: 'page-head' }, h('h1', null, u.name), statusBadge(u.kyc_status)),
    h('div', { class: 'cols' },
      h('div', { class: 'col-main' },
        h('section', { class: 'box' }, h('h2', null, 'Recent transactions (30 days)'), transactionTable(txns))),
      h('aside', { class: 'col-side' },
        h('section', { class: 'box' }, h('h2', null, 'Profile'), h('dl', { class: 'facts' },
          h('dt', null, 'Email'), h('dd', null, u.email),
          h('dt', null, 'KYC status'), h('dd', null, statusBadge(u.kyc_status), ' since ' + when(u.kyc_status_since)),
          h('dt', null, 'Tier'), h('dd', null, String(u.tier)),
          h('dt', null, 'Country'), h('dd', null, u.country + (u.state ? '-' + u.state : '')))),
        h('section', { class: 'box limits' }, h('h2', null, 'Tier ' + u.tier + ' limits and usage'), limits ? h('dl', { class: 'facts' },
          h('dt', null, 'Per transaction'), h('dd', null, 'at most ' + money(limits.per_transaction, limits.currency)),
          day ? usage('Last 24 hours', day.used, day.limit, limits.currency) : null,
          month ? usage('Last 30 days', month.used, month.limit, limits.currency) : null)
          : h('p', { class: 'muted' }, 'The limits could not be read.'),
        h('p', { class: 'muted small' }, 'Rolling windows ending now; canceled transactions do not count.')),
        h('section', { class: 'box' }, h('h2', null, 'Funding sources'),
          h('ul', null, banks.map((b) => h('li', null, 'Bank ' + b.account_number + ' · ' + b.account_type + ' · ', statusBadge(b.bank_status))),
            cards.map((c) => h('li', null, 'Card ending ' + c.last4)),
            !banks.length && !cards.length ? h('li', { class: 'muted' }, 'none') : null)))));
}

// ---------------------------------------------------------------------------
// Tier upgrade requests: the documents, approve or reject (with a reason).

const UPGRADE_STATUSES = [['SUBMITTED', 'waiting for a decision'], ['OPEN', 'open (documents being added)'],
  ['APPROVED', 'approved'], ['REJECTED', 'rejected'], ['', 'any status']];

export async function tierUpgradesView() {
  const os = await orgs();
  const filters = h('form', { class: 'filters', novalidate: true },
    field('Status', select('status', UPGRADE_STATUSES, 'SUBMITTED')),
    isStaff() ? field('Organisation', select('org_id', [['', 'every organisation']].concat(
      Array.from(os.values()).map((o) => [o.id, o.name])), '')) : null,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Apply filters')));
  const out = h('div', { 'aria-live': 'polite' });
  const more = h('button', { type: 'button', hidden: true }, 'Show more');
  const users = new Map();
  let rows = [];
  let cursor = null;
  async function load(next) {
    const p = new URLSearchParams({ limit: '100' });
    if (filters.elements.status.value) p.set('status', filters.elements.status.value);
    if (filters.elements.org_id && filters.elements.org_id.value) p.set('org_id', filters.elements.org_id.value);
    if (next && cursor) p.set('cursor', cursor);
    try {
      const d = await api('GET', '/v1/tier-upgrades?' + p.toString());
      rows = next ? rows.concat(d.data) : d.data;
      cursor = d.next_cursor;
      await Promise.all(Array.from(new Set(rows.map((u) => u.user_id))).filter((id) => !users.has(id)).map((id) =>
        api('GET', '/v1/users/' + encodeURIComponent(id)).then((u) => users.set(id, u)).catch(() => users.set(id, null))));
      render();
    } catch (e) { showFieldOrBox(filters, out, e); }
  }
  function decided(r) {
    const i = rows.findIndex((x) => x.id === r.id);
    if (i >= 0) rows[i] = r;
    render();
  }
  function render() {
    clear(out, table(rows, [
      ['Request', (u) => h('code', null, u.id)],
      ['End user', (u) => { const user = users.get(u.user_id); return user ? link('#/users/' + encodeURIComponent(u.user_id), user.name) : u.user_id; }],
      ['Organisation', (u) => orgName(u.org_id, os)],
      ['Tier', (u) => u.from_tier + ' → ' + u.target_tier],
      ['Status', (u) => [statusBadge(u.status), u.reason ? h('p', { class: 'small' }, 'Reason: ' + u.reason) : null]],
      ['Documents', (u) => u.documents.length ? h('ul', { class: 'plain' }, u.documents.map((d) => h('li', null,
        h('button', { type: 'button', class: 'linklike small', onclick: () => download('/v1/tier-upgrades/' + encodeURIComponent(u.id) +
          '/documents/' + encodeURIComponent(d.id), d.name).catch((e) => toast(e.message, true)) }, 'Download ' + d.name),
        h('span', { class: 'muted small' }, ' (' + Math.ceil(d.size_bytes / 1024) + ' KB)')))) : h('span', { class: 'muted' }, 'none')],
      ['Updated', (u) => when(u.updated_at)],
      ['Decision', (u) => (u.status === 'SUBMITTED' && isStaff() && state.member.role !== 'ops_manager') ? h('div', { class: 'row-actions' },
        h('button', { type: 'button', class: 'primary small', onclick: async () => {
          try {
            const r = await api('POST', '/v1/tier-upgrades/' + encodeURIComponent(u.id) + '/approve', {}, { idempotent: true });
            toast('Approved: the user is now at tier ' + r.target_tier + '.');
            decided(r);
          } catch (e) { toast(e.message, true); }
        } }, 'Approve tier ' + u.target_tier),
        h('button', { type: 'button', class: 'danger small', onclick: () => actionDialog('Reject ' + u.id,
          'The partner sees the reason; the user stays at tier ' + u.from_tier + '.',
          [field('Reason (required)', h('textarea', { name: 'reason', rows: 3, maxlength: 2000, required: true }))],
          'Reject request', async (f) => {
            const reason = f.elements.reason.value.trim();
            if (!reason) throw Object.assign(new Error('a rejection needs a reason'), { field: 'reason' });
            const r = await api('POST', '/v1/tier-upgrades/' + encodeURIComponent(u.id) + '/reject', { reason }, { idempotent: true });
            toast('Rejected ' + r.id + '.');
            decided(r);
          }) }, 'Reject')) : ''],
    ], { empty: 'No tier upgrade request matches.', class: 'upgrades' }));
    more.hidden = !cursor;
  }
  filters.addEventListener('submit', (ev) => { ev.preventDefault(); load(false); });
  filters.addEventListener('change', () => load(false));
  more.addEventListener('click', () => load(true));
  load(false);
  return h('div', null, h('h1', null, 'Tier upgrade requests'),
    h('p', { class: 'muted' }, 'Requests submitted by partners for their end users, oldest first, with the documents to check.'),
    filters, out, more);
}

// ---------------------------------------------------------------------------
// Knowledge base and sandbox clock.

export function kbView() {
  const form = h('form', { class: 'filters', role: 'search', novalidate: true },
    field('Search the articles', h('input', { name: 'q', type: 'search', maxlength: 200, placeholder: 'GEOIP, insufficient funds, settlement…' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Search')));
  const out = h('div', { 'aria-live': 'polite' });
  onSubmit(form, async () => {
    const q = form.elements.q.value.trim();
    if (!q) throw Object.assign(new Error('type a few words first'), { field: 'q' });
    const d = await api('GET', '/v1/kb/search?q=' + encodeURIComponent(q) + '&limit=20');
    clear(out, d.data.length ? d.data.map((a) => h('article', { class: 'kb box' }, h('h2', null, a.title),
      h('p', null, a.snippet), h('p', { class: 'muted small' }, humanCode(a.category || 'general'))))
      : h('p', { class: 'empty' }, 'No article matches.'));
  });
  return h('div', null, h('h1', null, isPartner() ? 'Help articles' : 'Knowledge base'), form, out);
}

export async function clockView() {
  const d = await api('GET', '/v1/sandbox/clock');
  const form = h('form', { class: 'stack', novalidate: true },
    field('New time (RFC 3339)', h('input', { name: 'now', required: true, value: d.now }),
      'Forward only: every timed job due up to then runs, in order.'),
    formError(), h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Advance the clock')));
  const now = h('strong', null, when(d.now) + ' (' + d.now + ')');
  onSubmit(form, async () => {
    const r = await api('POST', '/v1/sandbox/clock', { now: form.elements.now.value.trim() });
    clear(now, when(r.now) + ' (' + r.now + ')');
    toast('Clock at ' + r.now + '; ' + r.jobs_run + ' job runs.');
  });
  return h('div', null, h('h1', null, 'Sandbox clock'), h('p', null, 'Sandbox time: ', now), form);
}

void ago;
