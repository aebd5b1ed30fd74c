// Browser tests of the web page: Debian's Chromium driven by playwright-core
// against a real `payops serve --sandbox` on a free loopback port, seeded by
// `payops demo`. Starts and stops the server itself; exits non-zero on failure.
//
//   node tests/browser/web_test.mjs --payops build-test/payops \
//     --modules build-test/npm/node_modules --screenshots build-test/screenshots [--bench FILE]
//
// Every step's screenshot lands in --screenshots; --bench writes the page's
// size and the time to render 500-row lists as JSON.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import assert from 'node:assert/strict';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : true]);
  return acc;
}, []));
const BIN = resolve(args.payops || 'build-test/payops');
const SHOTS = resolve(args.screenshots || 'build-test/screenshots');
const require = createRequire(resolve(args.modules || 'build-test/npm/node_modules') + '/');
const { chromium } = require('playwright-core');

const XSS_IMG = '<img src=x onerror="window.__xss=1">';
const XSS_SCRIPT = '<script>window.__xss=1</script>';
const started = Date.now();
let passed = 0;
let failed = 0;
const dir = mkdtempSync(join(tmpdir(), 'payops-web-'));
const store = 'sqlite://' + join(dir, 'payops.db');
mkdirSync(SHOTS, { recursive: true });

function log(...a) { console.log('[' + ((Date.now() - started) / 1000).toFixed(1) + 's]', ...a); }

// ---------------------------------------------------------------------------
// The server: demo data, then serve on a port the kernel picks.

const demoOut = execFileSync(BIN, ['demo', '--store', store], { encoding: 'utf8', env: { ...process.env, PAYOPS_LOG_LEVEL: 'warn' } });
const keyOf = (role) => {
  const m = demoOut.match(new RegExp('^\\s+' + role + '\\s+(po_\\S+)', 'm'));
  assert.ok(m, 'payops demo printed no ' + role + ' key:\n' + demoOut);
  return m[1];
};
const ADMIN_KEY = keyOf('admin');

// Info level: the server says where it listens at that level.
const server = spawn(BIN, ['serve', '--store', store, '--listen', '127.0.0.1:0', '--sandbox'],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PAYOPS_LOG_LEVEL: 'info' } });
// However the script ends, the server ends with it.
process.on('exit', () => { if (server.exitCode === null) server.kill('SIGKILL'); });
let serverLog = '';
const base = await new Promise((ok, fail) => {
  const timer = setTimeout(() => fail(new Error('payops serve did not listen:\n' + serverLog)), 60000);
  const onData = (b) => {
    serverLog += b.toString();
    const m = serverLog.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    if (m) { clearTimeout(timer); ok(m[1]); }
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  server.on('exit', (code) => fail(new Error('payops serve exited ' + code + ':\n' + serverLog)));
});
log('server at', base);

async function call(method, path, body, key) {
  const res = await fetch(base + path, { method, headers: { Authorization: 'Bearer ' + (key || ADMIN_KEY),
    'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  let data = {};
  try { data = JSON.parse(text); } catch (e) { data = { text }; }
  if (!res.ok) throw new Error(method + ' ' + path + ' → ' + res.status + ' ' + text);
  return data;
}

// The link of the latest email to `to` whose body holds `#/<page>/`.
async function emailedLink(to, page) {
  for (let i = 0; i < 50; i++) {
    const d = await call('GET', '/v1/outbox?to=' + encodeURIComponent(to));
    for (const m of d.data.slice().reverse()) {
      const hit = String(m.body || '').match(new RegExp('#/' + page + '/[^\\s]+'));
      if (hit) return base + '/' + hit[0];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no ' + page + ' link mailed to ' + to);
}

// ---------------------------------------------------------------------------
// The browser.

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const problems = [];

async function newPage(viewport) {
  const context = await browser.newContext({ viewport: viewport || { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push('console: ' + m.text()); });
  page.on('dialog', (d) => { problems.push('dialog opened: ' + d.message()); d.dismiss(); });
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, name + '.png'), fullPage: true });
}

async function noScriptRan(page) {
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'an injected script ran');
}

async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    log('ok  ', name, '(' + (Date.now() - t0) + ' ms)');
  } catch (e) {
    failed++;
    log('FAIL', name + ':', e && e.stack ? e.stack : e);
  }
}

async function signIn(page, email, password) {
  await page.goto(base + '/#/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

async function signUpAndVerify(page, name, email) {
  await page.goto(base + '/#/signup');
  await page.getByLabel('Full name').fill(name);
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('Check your inbox').waitFor();
  const link = await emailedLink(email, 'verify');
  await page.goto(link);
  await page.getByText('Your email address is confirmed.').waitFor();
}

const PASSWORD = 'correct horse battery';
const alice = { name: 'Alice ' + XSS_IMG, email: 'alice@acme.example' };
let ticketId = '';
let ticketNumber = 0;
const subject = 'Payout stuck ' + XSS_IMG;

try {
  await step('the page sends its security headers and no inline script', async () => {
    const res = await fetch(base + '/');
    const csp = res.headers.get('content-security-policy') || '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const html = await res.text();
    assert.doesNotMatch(html, /<script>|<script [^>]*>[^<]/, 'inline script in index.html');
    assert.doesNotMatch(html, /\sstyle=|\son[a-z]+=/i, 'inline style or handler attribute');
  });

  const page = await newPage();
  await step('sign-in screen: a wrong password says so without naming the account', async () => {
    await page.goto(base + '/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot(page, '01-sign-in');
    await page.getByLabel('Email').fill('nobody@acme.example');
    await page.getByLabel('Password', { exact: true }).fill('wrong password!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.form-error, .field-error').filter({ hasText: /./ }).first().waitFor();
    await shot(page, '01b-sign-in-wrong-password');
    assert.equal(await page.locator('details.advanced').count(), 1, 'the API key box is under Advanced');
  });

  await step('sign up, verify from the emailed link, sign in', async () => {
    await page.goto(base + '/#/signup');
    await shot(page, '02-sign-up');
    await signUpAndVerify(page, alice.name, alice.email);
    await shot(page, '03-verified');
    await signIn(page, alice.email, PASSWORD);
    await page.getByRole('heading', { name: 'Support requests' }).waitFor();
    await noScriptRan(page);
    assert.ok((await page.locator('.who-name').textContent()).includes(XSS_IMG), 'the name is shown as text');
  });

  await step('an emailed link opens its page after sign-in', async () => {
    await page.goto(base + '/#/password');
    await page.getByRole('heading', { name: 'Change password' }).waitFor();
  });

  await step('submit a request with KB suggestions, an attachment and a CC', async () => {
    await call('POST', '/v1/kb/articles', { title: 'Payout stuck ' + XSS_SCRIPT,
      body: 'When a payout is stuck ' + XSS_IMG + ' check the hold reason.', category: 'transaction', tags: ['payout'] });
    await page.goto(base + '/#/requests/new');
    await page.getByRole('heading', { name: 'New support request' }).waitFor();
    await page.getByLabel(/^Transaction/).first().check();
    await page.getByLabel('Subject').fill(subject);
    await page.locator('.suggest details').first().waitFor();
    await page.getByLabel('Description').fill('Body ' + XSS_SCRIPT + ' end');
    await page.getByLabel(/^CC/).fill('bob@acme.example');
    await page.getByLabel('Attachments').setInputFiles({ name: '"><img src=x onerror=window.__xss=1>.txt',
      mimeType: 'text/plain', buffer: Buffer.from('statement') });
    await shot(page, '04-new-request');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.waitForURL(/#\/tickets\//);
    ticketId = decodeURIComponent(page.url().split('#/tickets/')[1]);
    await page.getByRole('heading', { name: subject }).waitFor();
    await page.getByText('Body ' + XSS_SCRIPT + ' end').waitFor();
    // The server replaces the quote of a file name; the rest is shown as typed.
    await page.getByText('_><img src=x onerror=window.__xss=1>.txt').waitFor();
    ticketNumber = Number((await page.locator('h1 .muted').textContent()).replace(/\D/g, ''));
    await noScriptRan(page);
    await shot(page, '05-ticket-customer');
  });

  await step('it appears under My requests', async () => {
    await page.goto(base + '/#/requests');
    await page.getByRole('link', { name: subject }).waitFor();
    await noScriptRan(page);
    await shot(page, '06-my-requests');
  });

  await step('the CC\'d colleague sees it under CC\'d; a third user of the org does not', async () => {
    const bob = await newPage();
    await signUpAndVerify(bob, 'Bob Colleague', 'bob@acme.example');
    await signIn(bob, 'bob@acme.example', PASSWORD);
    await bob.getByRole('tab', { name: /CC'd/ }).click();
    await bob.getByRole('link', { name: subject }).waitFor();
    await bob.context().close();
    const carol = await newPage();
    await signUpAndVerify(carol, 'Carol Other', 'carol@acme.example');
    await signIn(carol, 'carol@acme.example', PASSWORD);
    await carol.getByRole('tab', { name: /CC'd/ }).click();
    await carol.getByText('No open request.').waitFor();
    await carol.goto(base + '/#/tickets/' + encodeURIComponent(ticketId));
    await carol.getByRole('heading', { name: 'Request not found' }).waitFor();
    await carol.context().close();
  });

  const agent = await newPage();
  await step('an agent triages, replies and adds an internal note', async () => {
    await signIn(agent, 'agent@payops.example', 'payops-demo-agent');
    await agent.getByRole('heading', { name: 'Tickets' }).waitFor();
    await agent.getByRole('link', { name: subject }).waitFor();
    await noScriptRan(agent);
    await shot(agent, '07-queue');
    await agent.getByRole('link', { name: subject }).click();
    await agent.getByRole('heading', { name: subject }).waitFor();
    await agent.getByLabel('Assignee').selectOption({ label: 'Sam Agent' });
    await agent.getByLabel('Priority').selectOption('high');
    await agent.getByRole('button', { name: 'Save triage' }).click();
    await agent.getByText('Ticket #' + ticketNumber + ' updated.').waitFor();
    await agent.getByLabel('Message').fill('We are tracing the payout now.');
    await agent.getByRole('button', { name: 'Send public reply to customer' }).click();
    await agent.locator('article.msg', { hasText: 'We are tracing the payout now.' }).waitFor();
    await agent.getByLabel('Message').fill('Internal: EMI trace ref 4471');
    await agent.getByRole('button', { name: 'Add internal note (staff only)' }).click();
    await agent.locator('article.msg.internal', { hasText: 'EMI trace ref 4471' }).waitFor();
    await shot(agent, '08-ticket-agent');
  });

  await step('the customer sees the reply but not the internal note', async () => {
    await page.goto(base + '/#/tickets/' + encodeURIComponent(ticketId));
    await page.getByText('We are tracing the payout now.').waitFor();
    assert.equal(await page.getByText('EMI trace ref 4471').count(), 0, 'the internal note is shown to the customer');
    assert.equal(await page.locator('.badge.prio-high').count() >= 1, true);
  });

  await step('an agent releases a held transaction from the dashboard', async () => {
    await agent.goto(base + '/#/holds');
    await agent.getByRole('heading', { name: 'Held transactions', exact: true }).waitFor();
    await agent.locator('button.count', { hasText: 'risk high' }).waitFor();
    await shot(agent, '09-holds');
    await agent.locator('button.count', { hasText: 'risk high' }).click();
    await agent.locator('button.count[aria-pressed="true"]', { hasText: 'risk high' }).waitFor();
    const row = agent.locator('table.holds tbody tr', { hasText: 'RISK_HIGH' }).first();
    await row.waitFor();
    const id = (await row.locator('td').first().textContent()).trim();
    await row.getByRole('button', { name: 'Release' }).click();
    const dialog = agent.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Release transaction' }).click();
    await dialog.locator('.field-error', { hasText: /./ }).waitFor();
    await dialog.getByLabel(/^Note/).fill('Reviewed with the partner: known customer');
    await shot(agent, '10-release-dialog');
    await dialog.getByRole('button', { name: 'Release transaction' }).click();
    await agent.getByText(id + ' released: now').waitFor();
    await agent.goto(base + '/#/transactions/' + encodeURIComponent(id));
    const status = (await agent.locator('.page-head .badge').textContent()).trim();
    assert.notEqual(status, 'HOLD');
    await agent.getByText('Reviewed with the partner: known customer').waitFor();
    await shot(agent, '11-transaction');
  });

  await step('the other console pages render', async () => {
    for (const [hash, heading, name] of [['#/batches', 'ACH batches', '12-batches'],
      ['#/users', 'End users', '13-users'], ['#/kb', 'Knowledge base', '14-kb']]) {
      await agent.goto(base + '/' + hash);
      await agent.getByRole('heading', { name: heading }).waitFor();
      await agent.waitForLoadState('networkidle');
      await shot(agent, name);
    }
    await agent.goto(base + '/#/batches');
    await agent.getByRole('button', { name: /Download ach_/ }).first().waitFor();
  });

  await step('a customer never sees another org\'s ticket by its id', async () => {
    const other = await call('POST', '/v1/orgs', { name: 'Beta Pay', domain: 'beta.example', sla_plan: 'essentials',
      hypercare_plan: 'standard', bau_plan: 'standard', go_live_date: '2026-01-05', allowed_countries: ['US'], fees: [] });
    const t = await call('POST', '/v1/tickets', { requester: { name: 'Bea', email: 'bea@beta.example' },
      category: 'billing', subject: 'Secret Beta invoice', description: 'private', org_id: other.id });
    await page.goto(base + '/#/tickets/' + encodeURIComponent(t.id));
    await page.getByRole('heading', { name: 'Request not found' }).waitFor();
    assert.equal(await page.getByText('Secret Beta invoice').count(), 0);
  });

  await step('a phone\'s width: one column, nothing wider than the screen', async () => {
    const phone = await newPage({ width: 375, height: 740 });
    await signIn(phone, alice.email, PASSWORD);
    await phone.goto(base + '/#/tickets/' + encodeURIComponent(ticketId));
    await phone.getByText('We are tracing the payout now.').waitFor();
    await shot(phone, '15-phone-ticket');
    const overflow = await phone.evaluate(() => {
      const wide = Array.from(document.querySelectorAll('body *')).filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map((e) => e.tagName + '.' + e.className).slice(0, 5);
      return [document.documentElement.scrollWidth - window.innerWidth, wide];
    });
    assert.ok(overflow[0] <= 1, 'the page is ' + overflow[0] + ' px wider than the phone: ' + overflow[1].join(', '));
    await phone.goto(base + '/#/requests/new');
    await phone.getByRole('heading', { name: 'New support request' }).waitFor();
    await shot(phone, '16-phone-new-request');
    await phone.context().close();
  });

  await step('the keyboard alone reaches sign-in and submits it', async () => {
    const kb = await newPage();
    await kb.goto(base + '/#/signin');
    await kb.getByRole('heading', { name: 'Sign in' }).waitFor();
    for (let i = 0; i < 12; i++) {
      await kb.keyboard.press('Tab');
      if (await kb.evaluate(() => document.activeElement && document.activeElement.name === 'email')) break;
    }
    await kb.keyboard.type('agent@payops.example');
    await kb.keyboard.press('Tab');
    await kb.keyboard.type('payops-demo-agent');
    await kb.keyboard.press('Enter');
    await kb.getByRole('button', { name: 'Sign out' }).waitFor();
    await kb.context().close();
  });

  await step('every form control has a visible label bound to it', async () => {
    for (const hash of ['#/requests/new', '#/requests']) {
      await page.goto(base + '/' + hash);
      await page.locator('h1').waitFor();
      const unlabeled = await page.evaluate(() => Array.from(document.querySelectorAll('input, select, textarea'))
        .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length && el.labels[0].offsetParent !== null) && el.offsetParent !== null)
        .map((el) => el.name || el.id));
      assert.deepEqual(unlabeled, [], 'controls without a visible label on ' + hash);
    }
  });

  await step('sign out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.goto(base + '/#/requests');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  await step('statements: a month with its chart and CSV; the disputed line beside a billing ticket', async () => {
    const orgs = await call('GET', '/v1/orgs?limit=50');
    const org = orgs.data.find((o) => o.domain !== 'beta.example');
    // The 1st of next month, 06:00Z (after midnight in New York): this month's
    // statement is issued by the monthly job.
    const d = new Date();
    const month = d.toISOString().slice(0, 7);
    const next = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1, 6));
    // A payout this month, so that the chart has a corridor to draw.
    const fee = org.fees.find((f) => f.direction === 'payout');
    if (fee) {
      await call('POST', '/v1/sandbox/deposits', { account_id: org.id + ':' + fee.currency + ':org', amount: 500000 });
      await call('POST', '/v1/payouts', { org_id: org.id, currency: fee.currency, corridor: fee.corridor, amount: 120000 });
    }
    await call('POST', '/v1/sandbox/clock', { now: next.toISOString() });
    const st = await call('GET', '/v1/reports/monthly?month=' + month + '&org_id=' + encodeURIComponent(org.id));
    assert.equal(st.month, month);
    const t = await call('POST', '/v1/tickets', { requester: { name: 'Pat', email: 'pat@' + org.domain },
      category: 'billing', subject: 'Statement fee question', description: 'Is this fee right?', org_id: org.id,
      statement_id: st.id, line_ids: st.lines.length ? [st.lines[0].id] : [] });
    const staff = await newPage();
    await signIn(staff, 'agent@payops.example', 'payops-demo-agent');
    await staff.goto(base + '/#/statements');
    await staff.getByRole('heading', { name: 'Monthly statements' }).waitFor();
    await staff.getByLabel('Org id').fill(org.id);
    await staff.getByLabel('Month').fill(month);
    await staff.getByRole('button', { name: 'Show statement' }).click();
    await staff.getByRole('heading', { name: 'Statement ' + month + ' — ' + org.name }).waitFor();
    if (st.lines.some((l) => l.section === 'payin' || l.section === 'payout')) {
      await staff.locator('svg.statement-chart rect').first().waitFor();
    }
    await shot(staff, '20-statement');
    const [dl] = await Promise.all([staff.waitForEvent('download'),
      staff.getByRole('button', { name: 'Download CSV' }).click()]);
    assert.equal(dl.suggestedFilename(), 'statement-' + month + '.csv');
    await staff.goto(base + '/#/tickets/' + encodeURIComponent(t.id));
    await staff.getByRole('heading', { name: 'Disputed statement ' + month }).waitFor();
    await shot(staff, '21-disputed-lines');
    await staff.context().close();
  });

  if (args.bench) {
    await step('measure: page weight and 500-row lists', async () => {
      const sizes = {};
      for (const f of ['/', '/assets/app.js', '/assets/lib.js', '/assets/auth.js', '/assets/desk.js', '/assets/ops.js', '/assets/style.css']) {
        const body = Buffer.from(await (await fetch(base + f)).arrayBuffer());
        sizes[f] = { bytes: body.length, gzip: gzipSync(body, { level: 6 }).length };
      }
      await agent.goto(base + '/#/queue');
      await agent.getByRole('heading', { name: 'Tickets' }).waitFor();
      const timings = await agent.evaluate(async () => {
        const desk = await import('/assets/desk.js');
        const ops = await import('/assets/ops.js');
        const now = new Date().toISOString();
        const tickets = Array.from({ length: 500 }, (_, i) => ({ id: 'tkt_' + i, number: i + 1, subject: 'Subject ' + i,
          priority: ['low', 'medium', 'high', 'urgent'][i % 4], status: 'open', queue: 'customer_service', assignee_id: null,
          requester: { name: 'Requester ' + i, email: 'r' + i + '@acme.example' },
          sla: { first_response_state: 'running', first_response_minutes_left: i - 100, first_response_warned: i % 7 === 0,
            first_response_breached: i < 100, resolution_breached: false, resolution_state: 'running' } }));
        const txns = Array.from({ length: 500 }, (_, i) => ({ id: 'txn_' + i, status: 'HOLD', amount: 1000 + i, currency: 'USD',
          funding: { type: 'ach' }, corridor: 'US-MX', created_at: now, hold: { reason: 'RISK_MODERATE' } }));
        const out = {};
        for (const [name, make] of [['tickets', () => desk.ticketTable(tickets, new Map())], ['transactions', () => ops.transactionTable(txns)]]) {
          const runs = [];
          const builds = [];
          make();  // warm-up: the first call compiles the code
          for (let r = 0; r < 5; r++) {
            const host = document.createElement('div');
            document.getElementById('main').appendChild(host);
            const t0 = performance.now();
            const node = make();
            builds.push(performance.now() - t0);
            host.appendChild(node);
            void host.offsetHeight;  // style and layout
            runs.push(performance.now() - t0);
            host.remove();
          }
          const median = (a) => a.slice().sort((x, y) => x - y)[2];
          out[name] = { median_ms: median(runs), build_median_ms: median(builds), runs_ms: runs };
        }
        return out;
      });
      writeFileSync(args.bench, JSON.stringify({ sizes, timings, chromium: browser.version() }, null, 2));
      log('measured', JSON.stringify(timings));
    });
  }

  await step('no page error, CSP violation or unexpected dialog', async () => {
    assert.deepEqual(problems.filter((p) => !/Failed to load resource/.test(p)), []);
  });
} finally {
  await browser.close().catch(() => {});
  server.kill('SIGTERM');
  await new Promise((r) => { server.once('exit', r); setTimeout(r, 10000); });
  rmSync(dir, { recursive: true, force: true });
}

console.log(passed + ' passed, ' + failed + ' failed');
process.exit(failed ? 1 : 0);
