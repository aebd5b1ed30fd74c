// payops web page: the customer portal and the operations console, one page
// with hash routes. Signs in with the session cookie (or an API key), keeps
// the page a signed-out person asked for and opens it after sign-in.
import { h, api, state, clear, isStaff, isEmi, isPartner, setSignedOutHandler, toast, go } from './lib.js';
import * as auth from './auth.js';
import * as desk from './desk.js';
import * as ops from './ops.js';
import * as monitors from './monitors.js';
import * as statements from './statements.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const AFTER = 'payops.after';

const PUBLIC = [
  [/^#\/(signin|login)$/, (ctx) => auth.signInView(ctx)],
  [/^#\/signup$/, () => auth.signUpView()],
  [/^#\/forgot$/, () => auth.forgotView()],
  [/^#\/verify\/(.+)$/, (ctx, m) => auth.verifyView(ctx, decodeURIComponent(m[1]))],
  [/^#\/reset\/(.+)$/, (ctx, m) => auth.setPasswordView(ctx, decodeURIComponent(m[1]), false)],
  [/^#\/invite\/(.+)$/, (ctx, m) => auth.setPasswordView(ctx, decodeURIComponent(m[1]), true)],
];

const PRIVATE = [
  [/^#\/requests$/, () => desk.requestsView()],
  [/^#\/requests\/new$/, () => desk.newRequestView()],
  [/^#\/tickets\/([^/]+)$/, (ctx, m) => desk.ticketView(decodeURIComponent(m[1]))],
  [/^#\/queue$/, () => desk.queueView()],
  [/^#\/holds$/, () => ops.holdsView()],
  [/^#\/transactions$/, () => ops.transactionsView()],
  [/^#\/transactions\/([^/]+)$/, (ctx, m) => ops.transactionView(decodeURIComponent(m[1]))],
  [/^#\/batches$/, () => ops.batchesView()],
  [/^#\/users$/, () => ops.usersView()],
  [/^#\/users\/([^/]+)$/, (ctx, m) => ops.userView(decodeURIComponent(m[1]))],
  [/^#\/tier-upgrades$/, () => ops.tierUpgradesView()],
  [/^#\/members\/invite$/, () => auth.inviteView()],
  [/^#\/kb$/, () => ops.kbView()],
  [/^#\/clock$/, () => ops.clockView()],
  [/^#\/statements$/, () => statements.statementsView()],
  [/^#\/password$/, (ctx) => auth.changePasswordView(ctx)],
  [/^#\/monitors$/, () => monitors.monitorsView()],
  [/^#\/maintenance$/, () => monitors.maintenanceView()],
];

function home() {
  if (isPartner()) return '#/requests';
  return '#/queue';
}

function navItems() {
  const r = state.member ? state.member.role : '';
  if (isPartner()) {
    return [['#/requests', 'My requests'], ['#/requests/new', 'New request'],
      ['#/holds', 'Held transactions'], ['#/transactions', 'Transactions'], ['#/statements', 'Statements'], ['#/kb', 'Help articles'], ['#/maintenance', 'Maintenance']];
  }
  if (isEmi()) return [['#/queue', 'EMI queue'], ['#/kb', 'Knowledge base']];
  const items = [['#/queue', 'Tickets'], ['#/holds', 'Held transactions'],
    ['#/transactions', 'Transactions'], ['#/batches', 'ACH batches'], ['#/users', 'End users'],
    ['#/tier-upgrades', 'Tier upgrades'], ['#/statements', 'Statements'], ['#/kb', 'Knowledge base'], ['#/monitors', 'Monitoring']];
  if (r === 'admin') items.push(['#/members/invite', 'Invite a member'], ['#/clock', 'Sandbox clock']);
  return items;
}

function renderChrome() {
  const on = !!state.member;
  nav.hidden = !on;
  clear(nav);
  clear(who);
  if (!on) return;
  // The item of this page: an exact match, else the list a detail page belongs to.
  const items = navItems();
  const hash = location.hash;
  const section = { tickets: isPartner() ? '#/requests' : '#/queue' };
  const first = hash.split('/')[1] || '';
  const current = items.some(([href]) => href === hash) ? hash
    : section[first] || '#/' + first;
  nav.appendChild(h('ul', null, items.map(([href, text]) => h('li', null,
    h('a', { href, 'aria-current': href === current ? 'page' : null }, text)))));
  const m = state.member;
  who.append(
    h('span', { class: 'who-name' }, m.name || m.email, ' ',
      h('span', { class: 'badge role' }, m.role.replace('_', ' '))),
    state.csrf ? h('a', { href: '#/password', class: 'plain-link' }, 'Change password') : null,
    h('button', { type: 'button', class: 'quiet', onclick: signOut }, state.csrf ? 'Sign out' : 'Forget API key'));
}

async function signOut() {
  try {
    if (state.csrf) await api('POST', '/v1/portal/logout', {});
  } catch (e) { /* the session may be gone already */ }
  signedOut();
  toast('You are signed out.');
}

function signedOut() {
  state.member = null;
  state.csrf = null;
  state.key = '';
  sessionStorage.removeItem('payops.key');
  renderChrome();
  go('#/signin');
}

function signedIn() {
  renderChrome();
  const after = sessionStorage.getItem(AFTER);
  sessionStorage.removeItem(AFTER);
  go(after && !after.startsWith('#/signin') ? after : home());
}

const ctx = { signedIn, signedOut, after: null };

async function route() {
  const hash = location.hash || '#/';
  for (const [re, view] of PUBLIC) {
    const m = hash.match(re);
    if (m) {
      if (state.member && re.source.includes('signin')) { go(home()); return; }
      ctx.after = sessionStorage.getItem(AFTER);
      return show(Promise.resolve().then(() => view(ctx, m)));
    }
  }
  if (!state.member) {
    // Remember where the link pointed; sign in first.
    if (hash !== '#/' && hash !== '#') sessionStorage.setItem(AFTER, hash);
    go('#/signin');
    return;
  }
  renderChrome();
  for (const [re, view] of PRIVATE) {
    const m = hash.match(re);
    if (m) return show(Promise.resolve().then(() => view(ctx, m)));
  }
  go(home());
}

let shown = 0;
async function show(viewOrPromise) {
  const mine = ++shown;
  clear(main, h('p', { class: 'muted' }, 'Loading…'));
  let node;
  try {
    node = await viewOrPromise;
  } catch (e) {
    node = h('div', { class: 'notice error', role: 'alert' }, e.message);
  }
  if (mine !== shown) return;  // a later route is on screen
  clear(main, node);
  const heading = main.querySelector('h1');
  document.title = (heading ? heading.textContent + ' · ' : '') + 'payops';
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

setSignedOutHandler(() => {
  if (!state.member) return;
  sessionStorage.setItem(AFTER, location.hash);
  state.member = null;
  state.csrf = null;
  renderChrome();
  toast('Your session ended: sign in again.', true);
  go('#/signin');
});

// The skip link focuses the content without touching the hash route.
document.querySelector('.skip').addEventListener('click', (ev) => {
  ev.preventDefault();
  main.focus();
});

async function start() {
  try {
    const r = await api('GET', '/v1/portal/session', undefined, { quiet401: true });
    state.member = r.member;
    state.csrf = r.csrf_token;
  } catch (e) {
    state.member = null;
    if (state.key) { state.key = ''; sessionStorage.removeItem('payops.key'); }
  }
  renderChrome();
  window.addEventListener('hashchange', route);
  route();
}

export { isStaff };
start();
