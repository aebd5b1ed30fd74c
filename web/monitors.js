// Monitoring: the console's monitors (state, uptime, recent checks) with
// their create/edit form and the maintenance windows; the portal's list of
// upcoming and current maintenance.
import {
  h, api, clear, field, formError, onSubmit, select, table, when, statusBadge, toast, errorBox,
  state,
} from './lib.js';

const canChange = () => !!state.member && ['admin', 'ops_manager'].includes(state.member.role);
const pct = (v) => (v === null || v === undefined ? '—' : v.toFixed(2) + ' %');

// A row of small squares, newest last: green ok, red failed, grey maintenance.
function checkStrip(checks) {
  const list = (checks || []).slice().reverse();
  if (!list.length) return h('span', { class: 'muted' }, 'no checks yet');
  return h('span', { class: 'check-strip', role: 'img',
    'aria-label': list.filter((c) => c.ok).length + ' of ' + list.length + ' recent checks passed' },
  list.map((c) => h('span', {
    class: 'check ' + (c.ok ? 'ok' : c.in_maintenance ? 'maint' : 'fail'),
    title: when(c.at) + ': ' + (c.ok ? 'ok' : (c.error || 'failed')) + ' (' + c.duration_ms + ' ms)',
  })));
}

// datetime-local value ⇄ RFC 3339 (the browser's time zone).
const toLocal = (iso) => {
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes());
};
const fromLocal = (v) => (v ? new Date(v).toISOString() : '');

function monitorForm(m, done) {
  const form = h('form', { class: 'stack card', novalidate: true, 'aria-label': m ? 'Edit monitor ' + m.name : 'New monitor' },
    h('h2', null, m ? 'Edit ' + m.name : 'New monitor'),
    field('Name', h('input', { name: 'name', required: true, maxlength: 200, value: m ? m.name : '' })),
    field('Kind', select('kind', [['http', 'HTTP(S) endpoint'], ['tcp', 'TCP port']], m ? m.kind : 'http')),
    field('Target', h('input', { name: 'target', required: true, value: m ? m.target : '', placeholder: 'https://status.example.com/health or db.example.com:5432' }),
      'An http(s) URL, or host:port for a TCP check.'),
    field('Interval (seconds)', h('input', { name: 'interval_seconds', type: 'number', min: 10, max: 86400, value: m ? m.interval_seconds : 60 })),
    field('Failures before a ticket', h('input', { name: 'failure_threshold', type: 'number', min: 1, max: 5, value: m ? m.failure_threshold : 3 })),
    field('Expected HTTP status (optional)', h('input', { name: 'expect_status', type: 'number', min: 100, max: 599, value: m && m.expect_status ? m.expect_status : '' })),
    field('Expected text in the answer (optional)', h('input', { name: 'expect_body', maxlength: 1000, value: m && m.expect_body ? m.expect_body : '' })),
    field('Timeout (ms)', h('input', { name: 'timeout_ms', type: 'number', min: 100, max: 30000, value: m ? m.timeout_ms : 5000 })),
    formError(),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, m ? 'Save monitor' : 'Create monitor')));
  if (m && m.builtin) {
    for (const n of ['name', 'kind', 'target', 'expect_status', 'expect_body', 'timeout_ms']) form.elements[n].disabled = true;
  }
  onSubmit(form, async () => {
    const e = form.elements;
    const body = { interval_seconds: Number(e.interval_seconds.value), failure_threshold: Number(e.failure_threshold.value) };
    if (!(m && m.builtin)) {
      Object.assign(body, { name: e.name.value, kind: e.kind.value, target: e.target.value.trim(),
        timeout_ms: Number(e.timeout_ms.value),
        expect_status: e.expect_status.value ? Number(e.expect_status.value) : null,
        expect_body: e.expect_body.value || null });
      if (e.kind.value === 'tcp') { delete body.expect_status; delete body.expect_body; }
    }
    await api(m ? 'PATCH' : 'POST', m ? '/v1/monitors/' + encodeURIComponent(m.id) : '/v1/monitors', body);
    toast(m ? 'Monitor saved.' : 'Monitor created.');
    done();
  });
  return form;
}

function windowForm(w, monitors, done) {
  const start = w ? w.starts_at : new Date(Date.now() + 3600e3).toISOString();
  const end = w ? w.ends_at : new Date(Date.now() + 7200e3).toISOString();
  const form = h('form', { class: 'stack card', novalidate: true, 'aria-label': w ? 'Edit window ' + w.title : 'New maintenance window' },
    h('h2', null, w ? 'Edit ' + w.title : 'New maintenance window'),
    field('Title', h('input', { name: 'title', required: true, maxlength: 200, value: w ? w.title : '' })),
    field('Starts', h('input', { name: 'starts_at', type: 'datetime-local', value: toLocal(start) })),
    field('Ends', h('input', { name: 'ends_at', type: 'datetime-local', value: toLocal(end) })),
    field('Monitors covered', h('select', { name: 'monitor_ids', multiple: true, size: Math.min(6, Math.max(2, monitors.length)) },
      monitors.map((m) => h('option', { value: m.id, selected: !!w && w.monitor_ids.includes(m.id) }, m.name))),
      'Their failures during the window open no ticket and page nobody.'),
    field('Message to customers', h('textarea', { name: 'message', rows: 3, maxlength: 4000 }, w ? w.message : '')),
    formError(),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, w ? 'Save window' : 'Schedule window')));
  onSubmit(form, async () => {
    const e = form.elements;
    const body = { title: e.title.value, message: e.message.value,
      starts_at: fromLocal(e.starts_at.value), ends_at: fromLocal(e.ends_at.value) };
    const ids = Array.from(e.monitor_ids.selectedOptions).map((o) => o.value);
    if (!w || w.state === 'upcoming') body.monitor_ids = ids;
    if (w && w.state !== 'upcoming') delete body.starts_at;
    await api(w ? 'PATCH' : 'POST', w ? '/v1/maintenance-windows/' + encodeURIComponent(w.id) : '/v1/maintenance-windows', body);
    toast(w ? 'Window saved.' : 'Maintenance window scheduled.');
    done();
  });
  return form;
}

export async function monitorsView() {
  const out = h('div');
  const editor = h('div');
  async function load() {
    let ms, ws;
    try {
      [ms, ws] = await Promise.all([api('GET', '/v1/monitors?limit=500'), api('GET', '/v1/maintenance-windows?limit=500')]);
    } catch (e) { clear(out, errorBox(e)); return; }
    const monitors = ms.data;
    const names = new Map(monitors.map((m) => [m.id, m.name]));
    const edit = (node) => { clear(editor, node); const first = node.querySelector('input, select'); if (first) first.focus(); };
    const windows = ws.data.filter((w) => w.state !== 'past').sort((a, b) => a.starts_at.localeCompare(b.starts_at));
    clear(out,
      h('section', { 'aria-labelledby': 'mon-h' }, h('h2', { id: 'mon-h' }, 'Monitors'),
        table(monitors, [
          ['Monitor', (m) => h('span', null, h('strong', null, m.name), h('br'), h('span', { class: 'muted small' }, (m.builtin ? 'built-in · ' : m.kind + ' · ') + m.target))],
          ['State', (m) => statusBadge(m.status)],
          ['Uptime 24 h', (m) => pct(m.uptime_24h), 'num'],
          ['Uptime 30 days', (m) => pct(m.uptime_30d), 'num'],
          ['Recent checks', (m) => checkStrip(m.recent_checks)],
          ['Incident', (m) => (m.open_ticket ? h('a', { href: '#/tickets/' + encodeURIComponent(m.open_ticket.id) }, '#' + m.open_ticket.number) : '—')],
          ['', (m) => (canChange() ? h('span', { class: 'row-actions' },
            h('button', { type: 'button', class: 'small', onclick: () => edit(monitorForm(m, load)) }, 'Edit ' + m.name),
            m.builtin ? null : h('button', { type: 'button', class: 'small quiet', onclick: async () => {
              if (!confirm('Delete the monitor ' + m.name + '?')) return;
              try { await api('DELETE', '/v1/monitors/' + encodeURIComponent(m.id)); toast('Monitor deleted.'); load(); } catch (e) { toast(e.message, true); }
            } }, 'Delete ' + m.name)) : null)],
        ], { empty: 'No monitors yet.', class: 'monitors' })),
      h('section', { 'aria-labelledby': 'mw-h' }, h('h2', { id: 'mw-h' }, 'Maintenance windows'),
        table(windows, [
          ['Window', (w) => h('strong', null, w.title)],
          ['State', (w) => statusBadge(w.state)],
          ['Starts', (w) => when(w.starts_at)],
          ['Ends', (w) => when(w.ends_at)],
          ['Covers', (w) => w.monitor_ids.map((id) => names.get(id) || id).join(', ')],
          ['Announced', (w) => (w.announced_at ? when(w.announced_at) : 'not yet')],
          ['', (w) => (canChange() ? h('span', { class: 'row-actions' },
            h('button', { type: 'button', class: 'small', onclick: () => edit(windowForm(w, monitors, load)) }, 'Edit ' + w.title),
            w.state === 'upcoming' ? h('button', { type: 'button', class: 'small quiet', onclick: async () => {
              if (!confirm('Delete the window ' + w.title + '?')) return;
              try { await api('DELETE', '/v1/maintenance-windows/' + encodeURIComponent(w.id)); toast('Window deleted.'); load(); } catch (e) { toast(e.message, true); }
            } }, 'Delete ' + w.title) : null) : null)],
        ], { empty: 'No maintenance scheduled.' })),
      canChange() ? h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => edit(monitorForm(null, load)) }, 'New monitor'),
        h('button', { type: 'button', onclick: () => edit(windowForm(null, monitors, load)) }, 'New maintenance window')) : null);
    clear(editor);
  }
  await load();
  return h('div', null, h('h1', null, 'Monitoring'), out, editor);
}

// The portal: maintenance now and ahead.
export async function maintenanceView() {
  let active, upcoming;
  try {
    [active, upcoming] = await Promise.all([api('GET', '/v1/maintenance-windows?state=active'),
      api('GET', '/v1/maintenance-windows?state=upcoming')]);
  } catch (e) { return errorBox(e); }
  const item = (w) => h('li', { class: 'card' }, h('h3', null, w.title), h('p', null, when(w.starts_at) + ' – ' + when(w.ends_at)),
    w.message ? h('p', { class: 'pre' }, w.message) : null);
  const list = (rows, empty) => (rows.length ? h('ul', { class: 'plain-list' }, rows.map(item)) : h('p', { class: 'empty' }, empty));
  return h('div', null, h('h1', null, 'Scheduled maintenance'),
    h('section', { 'aria-labelledby': 'now-h' }, h('h2', { id: 'now-h' }, 'In progress'), list(active.data, 'No maintenance in progress.')),
    h('section', { 'aria-labelledby': 'up-h' }, h('h2', { id: 'up-h' }, 'Upcoming'),
      list(upcoming.data.sort((a, b) => a.starts_at.localeCompare(b.starts_at)), 'No maintenance scheduled.')));
}
