// Monthly statements: per month the lines (section, currency, corridor,
// count, volume, fee, fee total), the totals, a chart of volume and fees by
// corridor drawn here as inline SVG, and the CSV download. Also the
// statement lines a billing ticket names, shown beside its conversation.
import { h, api, clear, field, formError, onSubmit, table, toast, errorBox, download, isStaff, money } from './lib.js';

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

const SECTION = { payin: 'Payins', payout: 'Payouts', refund: 'Refunds', return: 'Returns',
  plan_charge: 'Support plan', correction: 'Correction' };

function linesTable(lines) {
  return table(lines, [
    ['Line', (l) => SECTION[l.section] || l.section],
    ['Currency', (l) => l.currency],
    ['Corridor', (l) => l.corridor || '—'],
    ['Count', (l) => String(l.count), 'num'],
    ['Volume', (l) => money(l.volume, l.currency), 'num'],
    ['Fee each', (l) => money(l.fee, l.currency), 'num'],
    ['Fee total', (l) => money(l.fee_total, l.currency), 'num'],
    ['Amount', (l) => money(l.amount, l.currency), 'num'],
    ['Description', (l) => l.description],
  ], { caption: 'Statement lines', empty: 'No transactions and no charges this month.' });
}

// Volume and fees per currency and corridor (payins and payouts), as grouped bars.
export function corridorChart(st) {
  const groups = new Map();
  for (const l of st.lines) {
    if (l.section !== 'payin' && l.section !== 'payout') continue;
    const k = l.currency + ' ' + l.corridor;
    const g = groups.get(k) || { label: k, currency: l.currency, volume: 0, fees: 0 };
    g.volume += l.volume;
    g.fees += l.fee_total;
    groups.set(k, g);
  }
  const data = [...groups.values()];
  if (!data.length) return h('p', { class: 'empty' }, 'No payins or payouts this month.');
  const W = 640; const rowH = 44; const left = 130; const barW = W - left - 140;
  const maxV = Math.max(...data.map((d) => d.volume), 1);
  const maxF = Math.max(...data.map((d) => d.fees), 1);
  const svg = s('svg', { viewBox: `0 0 ${W} ${data.length * rowH + 30}`, width: '100%',
    role: 'img', 'aria-label': 'Volume and fees by corridor', class: 'statement-chart' });
  svg.append(s('title', null, 'Volume and fees by corridor'));
  data.forEach((d, i) => {
    const y = 10 + i * rowH;
    svg.append(s('text', { x: 0, y: y + 16, 'font-size': 13 }, d.label));
    svg.append(s('rect', { x: left, y, width: Math.max(1, barW * d.volume / maxV), height: 14, fill: '#3b6ea5' },
      s('title', null, `${d.label} volume ${money(d.volume, d.currency)}`)));
    svg.append(s('rect', { x: left, y: y + 17, width: Math.max(1, barW * d.fees / maxF), height: 10, fill: '#d08a2c' },
      s('title', null, `${d.label} fees ${money(d.fees, d.currency)}`)));
    svg.append(s('text', { x: left + barW + 6, y: y + 12, 'font-size': 11 }, money(d.volume, d.currency)));
    svg.append(s('text', { x: left + barW + 6, y: y + 27, 'font-size': 11 }, 'fees ' + money(d.fees, d.currency)));
  });
  const ly = data.length * rowH + 20;
  svg.append(s('rect', { x: left, y: ly - 9, width: 10, height: 10, fill: '#3b6ea5' }));
  svg.append(s('text', { x: left + 14, y: ly, 'font-size': 11 }, 'volume'));
  svg.append(s('rect', { x: left + 80, y: ly - 9, width: 10, height: 10, fill: '#d08a2c' }));
  svg.append(s('text', { x: left + 94, y: ly, 'font-size': 11 }, 'fees'));
  return h('figure', { class: 'chart' }, svg);
}

function totalsTable(st) {
  return table(st.totals, [
    ['Currency', (t) => t.currency],
    ['Fees', (t) => money(t.fees, t.currency), 'num'],
    ['Plan charges', (t) => money(t.plan_charges, t.currency), 'num'],
    ['Corrections', (t) => money(t.corrections, t.currency), 'num'],
    ['Total due', (t) => money(t.total_due, t.currency), 'num'],
  ], { caption: 'Totals' });
}

function statementBox(st) {
  const q = 'month=' + encodeURIComponent(st.month) + '&org_id=' + encodeURIComponent(st.org_id);
  return h('section', { class: 'box statement', 'data-statement': st.id },
    h('h2', null, 'Statement ' + st.month + ' — ' + st.org_name),
    h('p', { class: 'muted' }, 'Issued ' + new Date(st.issued_at).toLocaleString() + ' · ' + st.id),
    corridorChart(st), linesTable(st.lines), totalsTable(st),
    h('button', { type: 'button', class: 'primary', onclick: () =>
      download('/v1/reports/monthly?' + q, 'statement-' + st.month + '.csv', 'text/csv')
        .catch((e) => toast(e.message, true)) }, 'Download CSV'));
}

export async function statementsView() {
  const out = h('div', { class: 'stack' });
  const orgInput = h('input', { name: 'org_id', required: isStaff(), autocomplete: 'off' });
  const monthInput = h('input', { name: 'month', placeholder: 'YYYY-MM', pattern: '[0-9]{4}-[0-9]{2}' });
  const form = h('form', { class: 'inline-form', novalidate: true },
    isStaff() ? field('Org id', orgInput) : null, field('Month', monthInput), formError(),
    h('button', { type: 'submit', class: 'primary' }, 'Show statement'));
  async function list() {
    const org = orgInput.value.trim();
    if (isStaff() && !org) return;
    const d = await api('GET', '/v1/reports/statements' + (org ? '?org_id=' + encodeURIComponent(org) : ''));
    clear(out, ...(d.data.length ? d.data.map(statementBox)
      : [h('p', { class: 'empty' }, 'No statement issued yet.')]));
  }
  onSubmit(form, async () => {
    const org = orgInput.value.trim();
    if (!monthInput.value.trim()) return list();
    const st = await api('GET', '/v1/reports/monthly?month=' + encodeURIComponent(monthInput.value.trim()) +
      (org ? '&org_id=' + encodeURIComponent(org) : ''));
    clear(out, statementBox(st));
  });
  if (!isStaff()) list().catch((e) => clear(out, errorBox(e)));
  return h('div', null, h('h1', null, 'Monthly statements'),
    h('p', { class: 'muted' }, 'Payins and payouts × fee per currency and corridor, support-plan charges and corrections. Amounts as issued on the first day of the next month (New York time).'),
    form, out);
}

// "12.50" → 1250 minor units, read from the text (no binary fractions);
// null for anything that is not a positive amount with at most two decimals.
export function parseAmount(text) {
  const m = /^\s*(\d{1,12})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  const minor = Number(m[1]) * 100 + Number((m[2] || '0').padEnd(2, '0'));
  return minor > 0 ? minor : null;
}

// One statement line as a short block that fits a sidebar: what, then the figures.
function lineCard(l) {
  const what = [SECTION[l.section] || l.section, l.currency, l.corridor].filter(Boolean).join(' · ');
  const figures = l.section === 'payin' || l.section === 'payout'
    ? [l.count + (l.count === 1 ? ' transaction' : ' transactions'), 'volume ' + money(l.volume, l.currency),
      'fee ' + money(l.fee, l.currency) + ' each', 'fees ' + money(l.fee_total, l.currency)]
    : [l.description, money(l.amount, l.currency)];
  return h('li', { class: 'line-card', 'data-line': l.id }, h('strong', null, what),
    h('span', { class: 'muted' }, figures.filter(Boolean).join(' · ')));
}

// Beside a billing ticket: the statement lines it names and the corrections issued from it.
export function disputedLinesBox(t, onChanged) {
  const d = t.statement;
  if (!d) return null;
  const box = h('section', { class: 'box disputed-lines' }, h('h2', null, 'Disputed statement ' + (d.month || '')),
    d.lines.length ? h('ul', { class: 'line-cards', 'aria-label': 'Disputed lines' }, ...d.lines.map(lineCard))
      : h('p', { class: 'muted' }, 'The whole statement (no line named).'),
    d.corrections.length ? h('ul', { class: 'line-cards', 'aria-label': 'Corrections' }, ...d.corrections.map((c) =>
      h('li', { class: 'line-card' }, h('strong', null, (c.amount < 0 ? 'Credit ' : 'Charge ') +
        money(Math.abs(c.amount), c.currency)),
      h('span', { class: 'muted' }, c.reason + ' · on ' + (c.applied_statement_id ? 'statement ' +
        c.applied_statement_id : 'the next statement'))))) : null);
  if (isStaff()) {
    const kind = h('select', { name: 'kind' }, h('option', { value: 'credit' }, 'Credit the org (it owes less)'),
      h('option', { value: 'charge' }, 'Charge the org (it owes more)'));
    const amount = h('input', { name: 'amount', inputmode: 'decimal', required: true, placeholder: '12.50',
      autocomplete: 'off' });
    const currency = h('input', { name: 'currency', value: d.lines[0] ? d.lines[0].currency : 'USD', maxlength: 3,
      autocomplete: 'off' });
    const reason = h('input', { name: 'reason', required: true });
    const form = h('form', { class: 'stack', novalidate: true }, h('h3', null, 'Issue a correction'),
      field('Correction', kind), field('Amount', amount, 'In ' + (currency.value || 'the currency') +
        ', e.g. 12.50. It appears on the next statement.'), field('Currency', currency),
      field('Reason', reason), formError(), h('button', { type: 'submit' }, 'Issue correction'));
    onSubmit(form, async () => {
      const minor = parseAmount(amount.value);
      if (minor === null) {
        throw Object.assign(new Error('an amount such as 12.50, more than zero'), { field: 'amount' });
      }
      const body = { amount: kind.value === 'credit' ? -minor : minor, currency: currency.value.trim().toUpperCase(),
        reason: reason.value };
      if (d.lines.length === 1) body.line_id = d.lines[0].id;
      await api('POST', '/v1/tickets/' + encodeURIComponent(t.id) + '/corrections', body, { idempotent: true });
      toast('Correction issued: it appears on the next statement.');
      if (onChanged) onChanged();
    });
    box.append(form);
  }
  return box;
}
