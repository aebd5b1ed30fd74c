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
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import http from 'node:http';
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

// GET `path` as a browser would, with or without Accept-Encoding: gzip; the
// bytes as they travel (no decoding) and the headers.
function rawGet(path, gzip) {
  return new Promise((ok, fail) => {
    const req = http.get(base + path, { headers: gzip ? { 'Accept-Encoding': 'gzip, deflate, br' } : {} }, (res) => {
      const parts = [];
      res.on('data', (b) => parts.push(b));
      res.on('end', () => ok({ headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', fail);
  });
}
// Every file the page loads: the HTML and each script and style sheet of web/
// (app.js imports every module at start).
const WEB_DIR = new URL('../../web/', import.meta.url);
const PAGE_FILES = ['/', ...readdirSync(WEB_DIR).filter((f) => /\.(js|css)$/.test(f)).sort().map((f) => '/assets/' + f)];

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

  await step('the ops manager sees a monitor and schedules a maintenance window', async () => {
    const mon = await call('POST', '/v1/monitors', { name: 'Partner API health', kind: 'http',
      target: 'https://status.acme.example/health', interval_seconds: 60 });
    // Three minutes on the sandbox clock: every monitor is checked a few times.
    const t0 = new Date((await call('GET', '/v1/sandbox/clock')).now).getTime();
    await call('POST', '/v1/sandbox/clock', { now: new Date(t0 + 180e3).toISOString() });
    const ops = await newPage();
    await signIn(ops, 'ops@payops.example', 'payops-demo-ops_manager');
    await ops.goto(base + '/#/monitors');
    await ops.getByRole('heading', { name: 'Monitoring' }).waitFor();
    const row = ops.locator('table.monitors tbody tr', { hasText: 'Partner API health' });
    await row.waitFor();
    assert.match(await row.textContent(), /http/);
    const readyz = ops.locator('table.monitors tbody tr', { hasText: 'payops /readyz' });
    await readyz.waitFor();
    assert.match(await readyz.textContent(), /up/);
    assert.equal(await readyz.locator('.check.ok').count() >= 3, true, 'the /readyz monitor shows its passed checks');
    await shot(ops, '15-monitors');
    await ops.getByRole('button', { name: 'New maintenance window' }).click();
    const form = ops.getByRole('form', { name: 'New maintenance window' });
    await form.waitFor();
    const unlabeled = await ops.evaluate(() => Array.from(document.querySelectorAll('form input, form select, form textarea'))
      .filter((el) => !(el.labels && el.labels.length && el.labels[0].offsetParent !== null) && el.offsetParent !== null)
      .map((el) => el.name || el.id));
    assert.deepEqual(unlabeled, [], 'window form controls without a visible label');
    const now = new Date((await call('GET', '/v1/sandbox/clock')).now).getTime();
    const local = (ms) => ops.evaluate((t) => {
      const d = new Date(t);
      const p = (n) => String(n).padStart(2, '0');
      return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes());
    }, ms);
    await form.getByLabel('Title').fill('Core banking upgrade');
    await form.getByLabel('Starts').fill(await local(now + 2 * 3600e3));
    await form.getByLabel('Ends').fill(await local(now + 3 * 3600e3));
    await form.getByLabel('Monitors covered').selectOption(mon.id);
    await form.getByLabel('Message to customers').fill('Payouts pause for up to an hour.');
    await shot(ops, '16-window-form');
    await form.getByRole('button', { name: 'Schedule window' }).click();
    await ops.getByText('Maintenance window scheduled.').waitFor();
    await ops.getByRole('cell', { name: 'Core banking upgrade', exact: true }).waitFor();
    await ops.getByRole('button', { name: 'New monitor' }).click();
    await ops.getByRole('form', { name: 'New monitor' }).getByLabel('Target').waitFor();
    await ops.context().close();
  });

  await step('the portal shows the upcoming maintenance', async () => {
    await page.goto(base + '/#/maintenance');
    await page.getByRole('heading', { name: 'Scheduled maintenance' }).waitFor();
    await page.getByRole('heading', { name: 'Core banking upgrade' }).waitFor();
    await page.getByText('Payouts pause for up to an hour.').waitFor();
    await shot(page, '17-portal-maintenance');
  });

  await step('the page is served gzipped when the browser accepts it', async () => {
    for (const f of PAGE_FILES) {
      const plain = await rawGet(f, false);
      const zipped = await rawGet(f, true);
      assert.equal(plain.headers['content-encoding'], undefined, f + ' gzipped without Accept-Encoding');
      assert.equal(zipped.headers['content-encoding'], 'gzip', f + ' not gzipped');
      assert.match(zipped.headers.vary || '', /Accept-Encoding/i);
      assert.ok(zipped.body.length < plain.body.length, f + ' is no smaller gzipped');
      assert.ok(gunzipSync(zipped.body).equals(plain.body), f + ' gunzips to something else');
    }
  });

  // Two end users of the demo org with submitted tier upgrades, one document
  // each (its name an XSS attempt).
  const orgs = (await call('GET', '/v1/orgs?limit=100')).data;
  const acme = orgs.find((o) => o.domain === 'acme.example');
  const upgrades = [];
  for (const [name, email] of [['Uma ' + XSS_IMG, 'uma@customers.example'], ['Vic Upgrade', 'vic@customers.example']]) {
    const u = await call('POST', '/v1/users', { org_id: acme.id, name, email, country: 'US', kyc_status: 'VERIFIED', tier: 1 });
    const up = await call('POST', '/v1/users/' + u.id + '/tier-upgrades', { target_tier: 2 });
    await call('POST', '/v1/tier-upgrades/' + up.id + '/documents', { name: 'id ' + XSS_IMG + '.pdf',
      content_type: 'application/pdf', content_base64: Buffer.from('%PDF-1.4 proof').toString('base64') });
    await call('POST', '/v1/tier-upgrades/' + up.id + '/submit', {});
    upgrades.push({ user: u, up });
  }

  await step('tier upgrades: documents to download, reject with a reason, approve', async () => {
    await agent.goto(base + '/#/tier-upgrades');
    await agent.getByRole('heading', { name: 'Tier upgrade requests' }).waitFor();
    const [reject, approve] = upgrades.map(({ up }) => agent.locator('table.upgrades tbody tr', { hasText: up.id }));
    await reject.waitFor();
    await reject.getByRole('button', { name: 'Download id ' + XSS_IMG + '.pdf' }).waitFor();
    await noScriptRan(agent);
    await shot(agent, '17-tier-upgrades');
    const dl = agent.waitForEvent('download');
    await reject.getByRole('button', { name: /^Download / }).click();
    const file = await dl;
    assert.equal(readFileSync(await file.path(), 'utf8'), '%PDF-1.4 proof');
    await reject.getByRole('button', { name: 'Reject' }).click();
    const dialog = agent.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Reject request' }).click();
    await dialog.locator('.field-error', { hasText: /reason/ }).waitFor();
    await dialog.getByLabel(/^Reason/).fill('The ID is expired');
    await dialog.getByRole('button', { name: 'Reject request' }).click();
    await agent.getByText('Rejected ' + upgrades[0].up.id + '.').waitFor();
    await reject.getByText('Reason: The ID is expired').waitFor();
    await approve.getByRole('button', { name: 'Approve tier 2' }).click();
    await agent.getByText('Approved: the user is now at tier 2.').waitFor();
    await approve.locator('.badge', { hasText: 'APPROVED' }).waitFor();
    assert.equal((await call('GET', '/v1/users/' + upgrades[1].user.id)).tier, 2);
  });

  await step('an end user\'s page: KYC, tier and each limit beside its usage', async () => {
    await agent.goto(base + '/#/users/' + encodeURIComponent(upgrades[1].user.id));
    await agent.getByRole('heading', { name: 'Tier 2 limits and usage' }).waitFor();
    await agent.getByText('at most 2,999.00 USD').waitFor();
    await agent.getByText('0.00 USD of 2,999.00 USD (0 %)').waitFor();
    await agent.getByText('0.00 USD of 9,999.00 USD (0 %)').waitFor();
    await shot(agent, '18-user-limits');
    await agent.goto(base + '/#/users/' + encodeURIComponent(upgrades[0].user.id));
    await agent.getByRole('heading', { name: 'Uma ' + XSS_IMG }).waitFor();
    await noScriptRan(agent);
  });

  await step('held transactions: request partner review opens a ticket and lands in the history', async () => {
    await agent.goto(base + '/#/holds');
    const row = agent.locator('table.holds tbody tr').first();
    await row.waitFor();
    const id = (await row.locator('td').first().textContent()).trim();
    await row.getByRole('button', { name: 'Request partner review' }).click();
    const dialog = agent.getByRole('dialog');
    await dialog.getByLabel(/^Note to the partner/).fill('Please confirm the sender ' + XSS_IMG);
    await dialog.getByRole('button', { name: 'Send to the partner' }).click();
    await agent.getByText(/Partner review requested: ticket #\d+ sent to pat@acme.example/).waitFor();
    await row.getByRole('link', { name: /^ticket #\d+$/ }).waitFor();
    await shot(agent, '19-partner-review');
    await agent.goto(base + '/#/transactions/' + encodeURIComponent(id));
    await agent.getByRole('cell', { name: 'partner review requested' }).waitFor();
    await noScriptRan(agent);
    // The partner's emailed link opens the ticket after sign-in, and the
    // request is among its requests.
    const mailed = await emailedLink('pat@acme.example', 'tickets');
    const pat = await newPage();
    await pat.goto(mailed);
    await pat.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signIn(pat, 'pat@acme.example', 'payops-demo-partner');
    await pat.getByRole('heading', { name: 'Please review held transaction ' + id }).waitFor();
    await pat.getByText('Next action:', { exact: false }).first().waitFor();
    await shot(pat, '19b-partner-review-ticket');
    await pat.goto(base + '/#/requests');
    await pat.getByRole('link', { name: 'Please review held transaction ' + id, exact: false }).waitFor();
    await pat.context().close();
  });

  await step('an admin invites a member from the console; the emailed link sets a password', async () => {
    const admin = await newPage();
    await signIn(admin, 'admin@payops.example', 'payops-demo-admin');
    await admin.getByRole('link', { name: 'Invite a member' }).click();
    await admin.getByRole('heading', { name: 'Invite a team member' }).waitFor();
    await admin.getByLabel('Role').selectOption('agent');
    await admin.getByLabel('Email').fill('dana@payops.example');
    await admin.getByRole('button', { name: 'Send invitation' }).click();
    // The API's field error, next to the field it names.
    await admin.locator('[data-error-for="name"]', { hasText: /./ }).waitFor();
    await shot(admin, '20-invite-field-error');
    await admin.getByLabel('Full name').fill('Dana ' + XSS_IMG);
    await admin.getByRole('button', { name: 'Send invitation' }).click();
    await admin.getByText('Invitation sent to dana@payops.example').waitFor();
    await noScriptRan(admin);
    await admin.context().close();
    const link = await emailedLink('dana@payops.example', 'invite');
    const dana = await newPage();
    await dana.goto(link);
    await dana.getByRole('heading', { name: 'Welcome to payops' }).waitFor();
    await dana.getByLabel('New password', { exact: true }).fill('dana password 1');
    await dana.getByLabel('Repeat the new password').fill('dana password 1');
    await dana.getByRole('button', { name: 'Set my password' }).click();
    await dana.getByText('Your password is set.').waitFor();
    await signIn(dana, 'dana@payops.example', 'dana password 1');
    await dana.getByRole('heading', { name: 'Tickets' }).waitFor();
    await noScriptRan(dana);
    await dana.getByRole('button', { name: 'Sign out' }).click();
    await dana.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The link works once.
    await dana.goto(link);
    await dana.getByLabel('New password', { exact: true }).fill('dana password 2');
    await dana.getByLabel('Repeat the new password').fill('dana password 2');
    await dana.getByRole('button', { name: 'Set my password' }).click();
    await dana.getByText(/already used.*\. Ask your administrator for a new invitation\./).waitFor();
    await shot(dana, '21-invite-link-used');
    await dana.context().close();
  });

  await step('password reset by emailed link; the link works once', async () => {
    const carol = await newPage();
    await carol.goto(base + '/#/signin');
    await carol.getByRole('link', { name: 'Forgot your password?' }).click();
    await carol.getByLabel('Email').fill('carol@acme.example');
    await carol.getByRole('button', { name: 'Email me a reset link' }).click();
    await carol.locator('.notice.ok').waitFor();
    const link = await emailedLink('carol@acme.example', 'reset');
    await carol.goto(link);
    await carol.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await carol.getByLabel('New password', { exact: true }).fill('carol new password');
    await carol.getByLabel('Repeat the new password').fill('carol new password');
    await carol.getByRole('button', { name: 'Change my password' }).click();
    await carol.getByText('Your password is set.').waitFor();
    await signIn(carol, 'carol@acme.example', 'carol new password');
    await carol.getByRole('button', { name: 'Sign out' }).click();
    await carol.getByRole('heading', { name: 'Sign in' }).waitFor();
    await carol.goto(link);
    await carol.getByLabel('New password', { exact: true }).fill('carol third password');
    await carol.getByLabel('Repeat the new password').fill('carol third password');
    await carol.getByRole('button', { name: 'Change my password' }).click();
    await carol.getByText('Ask for a new link from “Forgot your password”.').waitFor();
    await shot(carol, '22-reset-link-used');
    await carol.context().close();
  });

  await step('an account not yet confirmed is told to follow the emailed link', async () => {
    const p = await newPage();
    await p.goto(base + '/#/signup');
    await p.getByLabel('Full name').fill('Erin Unconfirmed');
    await p.getByLabel('Work email').fill('erin@acme.example');
    await p.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await p.getByRole('button', { name: 'Create account' }).click();
    await p.getByText('Check your inbox').waitFor();
    await p.goto(base + '/#/signin');
    await p.getByLabel('Email').fill('erin@acme.example');
    await p.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByText(/confirm your email address first/i).waitFor();
    assert.equal(await p.getByRole('button', { name: 'Sign out' }).count(), 0);
    await shot(p, '23-unconfirmed');
    await p.context().close();
  });

  await step('repeated wrong passwords lock the address with a clear message', async () => {
    const p = await newPage();
    await p.goto(base + '/#/signin');
    let text = '';
    for (let i = 0; i < 7 && !/too many failed sign-ins/i.test(text); i++) {
      await p.getByLabel('Email').fill('locked@acme.example');
      await p.getByLabel('Password', { exact: true }).fill('wrong password ' + i);
      await p.getByRole('button', { name: 'Sign in' }).click();
      const err = p.locator('.form-error, .field-error').filter({ hasText: /./ }).first();
      await err.waitFor();
      await p.waitForFunction(() => !document.querySelector('form button[type=submit]').disabled);
      text = await err.textContent();
    }
    assert.match(text, /too many failed sign-ins/i);
    await shot(p, '23-locked');
    await p.context().close();
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

  await step('200 % zoom (a 1280 px screen seen as 640 px): the console fits its width', async () => {
    const zoom = await newPage({ width: 640, height: 450 });
    await signIn(zoom, 'agent@payops.example', 'payops-demo-agent');
    for (const [hash, heading] of [['#/queue', 'Tickets'], ['#/holds', 'Held transactions'], ['#/tier-upgrades', 'Tier upgrade requests']]) {
      await zoom.goto(base + '/' + hash);
      await zoom.getByRole('heading', { name: heading, exact: true }).waitFor();
      await zoom.waitForLoadState('networkidle');
      const over = await zoom.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(over <= 1, hash + ' is ' + over + ' px wider than the window at 200 %');
    }
    await shot(zoom, '24-zoom-200-tier-upgrades');
    await zoom.context().close();
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
    // The lines fit the sidebar: nothing scrolls sideways.
    const box = staff.locator('.disputed-lines');
    assert.ok(await box.evaluate((b) => [...b.querySelectorAll('*')].every((e) => e.scrollWidth <= e.clientWidth + 1)),
      'the disputed lines scroll sideways');
    // A correction in currency units: a credit of 2.50 is sent as −250 minor units.
    await box.getByLabel('Amount').fill('2,5x');
    await box.getByLabel('Reason').fill('Fee charged twice');
    await box.getByRole('button', { name: 'Issue correction' }).click();
    await box.getByText('an amount such as 12.50, more than zero').waitFor();
    await box.getByLabel('Amount').fill('2.50');
    await box.getByRole('button', { name: 'Issue correction' }).click();
    await box.getByText('Credit 2.50 ' + (st.lines[0] ? st.lines[0].currency : 'USD')).waitFor();
    const after = await call('GET', '/v1/tickets/' + encodeURIComponent(t.id));
    assert.equal(after.statement.corrections[0].amount, -250);
    await shot(staff, '21-disputed-lines');
    await staff.context().close();
  });

  await step('an expired reset link says so and points to a new one', async () => {
    const carol = await newPage();
    await carol.goto(base + '/#/forgot');
    await carol.getByLabel('Email').fill('carol@acme.example');
    await carol.getByRole('button', { name: 'Email me a reset link' }).click();
    await carol.locator('.notice.ok').waitFor();
    const link = await emailedLink('carol@acme.example', 'reset');
    // A reset link is good for an hour: two hours later it is refused.
    const clock = await call('GET', '/v1/sandbox/clock');
    await call('POST', '/v1/sandbox/clock', { now: new Date(Date.parse(clock.now) + 2 * 3600 * 1000).toISOString() });
    await carol.goto(link);
    await carol.getByLabel('New password', { exact: true }).fill('carol fourth password');
    await carol.getByLabel('Repeat the new password').fill('carol fourth password');
    await carol.getByRole('button', { name: 'Change my password' }).click();
    await carol.getByText(/expired.*Ask for a new link from “Forgot your password”\./).waitFor();
    await shot(carol, '22-reset-link-expired');
    // The old password still signs in: the expired link changed nothing.
    await signIn(carol, 'carol@acme.example', 'carol new password');
    await carol.context().close();
  });

  if (args.bench) {
    await step('measure: page weight and 500-row lists', async () => {
      // As served: the bytes on the wire with and without Accept-Encoding: gzip.
      const sizes = {};
      let total = 0;
      let totalPlain = 0;
      for (const f of PAGE_FILES) {
        const plain = (await rawGet(f, false)).body.length;
        const served = (await rawGet(f, true)).body.length;
        sizes[f] = { bytes: plain, served_gzip: served };
        total += served;
        totalPlain += plain;
      }
      sizes.total = { bytes: totalPlain, served_gzip: total };
      // A session of its own: the earlier steps moved the sandbox clock past
      // the first agent's session.
      const staff = await newPage();
      await signIn(staff, 'agent@payops.example', 'payops-demo-agent');
      await staff.goto(base + '/#/queue');
      await staff.getByRole('heading', { name: 'Tickets' }).waitFor();
      const timings = await staff.evaluate(async () => {
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
        // The reference, in the same run: the same nodes laid out as an
        // automatic-layout table (the page's lists before the fixed layout).
        const auto = (node) => {
          const t = node.querySelector('table');
          t.classList.remove('fixed');
          t.querySelector('colgroup')?.remove();
          t.style.tableLayout = 'auto';  // through the CSSOM, which the CSP allows
          return node;
        };
        const variants = [['tickets', () => desk.ticketTable(tickets, new Map())], ['transactions', () => ops.transactionTable(txns)],
          ['tickets_auto_layout_reference', () => auto(desk.ticketTable(tickets, new Map()))],
          ['transactions_auto_layout_reference', () => auto(ops.transactionTable(txns))]];
        // One build, insertion and layout: returns [build ms, total ms].
        const once = (make) => {
          const host = document.createElement('div');
          document.getElementById('main').appendChild(host);
          const t0 = performance.now();
          const node = make();
          const built = performance.now() - t0;
          host.appendChild(node);
          void host.offsetHeight;  // style and layout
          const total = performance.now() - t0;
          host.remove();
          return [built, total];
        };
        // Warm-up: each variant twice (the code compiled, the fonts' shaping
        // caches filled), then the runs in rounds, one of each variant per
        // round, so that no variant gains from running after the others.
        for (let w = 0; w < 2; w++) for (const [, make] of variants) once(make);
        const runs = Object.fromEntries(variants.map(([name]) => [name, { builds: [], totals: [] }]));
        for (let r = 0; r < 7; r++) {
          for (const [name, make] of variants) {
            const [built, total] = once(make);
            runs[name].builds.push(built);
            runs[name].totals.push(total);
          }
        }
        const median = (a) => a.slice().sort((x, y) => x - y)[3];
        for (const [name] of variants) {
          out[name] = { median_ms: median(runs[name].totals), build_median_ms: median(runs[name].builds), runs_ms: runs[name].totals };
        }
        return out;
      });
      writeFileSync(args.bench, JSON.stringify({ sizes, timings, chromium: browser.version() }, null, 2));
      log('first load as served', total, 'bytes gzipped,', totalPlain, 'plain');
      log('measured', JSON.stringify(timings));
      await staff.context().close();
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
