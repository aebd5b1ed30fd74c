// Sign-in screens: sign in, sign up, forgot password, the emailed links
// (#/verify/<token>, #/reset/<token>, #/invite/<token>) and change password.
import { h, api, state, field, formError, onSubmit, link, toast } from './lib.js';

function card(title, intro, ...body) {
  return h('section', { class: 'auth-card' },
    h('h1', null, title), intro ? h('p', { class: 'lead' }, intro) : null, body);
}

function input(name, type, attrs) {
  return h('input', Object.assign({ name, type: type || 'text' }, attrs || {}));
}

// Sign in with email and password; the API key box stays for programs and ops.
export function signInView(ctx) {
  const form = h('form', { class: 'stack', novalidate: true },
    field('Email', input('email', 'email', { autocomplete: 'username', required: true, maxlength: 254 })),
    field('Password', input('password', 'password', { autocomplete: 'current-password', required: true })),
    formError(),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Sign in')));
  onSubmit(form, async () => {
    const r = await api('POST', '/v1/portal/login',
      { email: form.email.value.trim(), password: form.password.value }, { quiet401: true });
    state.key = '';
    sessionStorage.removeItem('payops.key');
    state.csrf = r.csrf_token;
    state.member = r.member;
    ctx.signedIn();
  });
  const keyForm = h('form', { class: 'stack', novalidate: true },
    field('API key', input('key', 'password', { autocomplete: 'off', placeholder: 'po_…', required: true }),
      'For programs and operations: a key printed by payops demo or payops key create. ' +
      'It is kept for this browser tab only.'),
    formError(),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Use API key')));
  onSubmit(keyForm, async () => {
    const key = keyForm.key.value.trim();
    if (!key) throw Object.assign(new Error('paste a key first'), { field: 'key' });
    state.key = key;
    try {
      const r = await api('GET', '/v1/portal/session', undefined, { quiet401: true });
      state.member = r.member;
      state.csrf = null;
      sessionStorage.setItem('payops.key', key);
      ctx.signedIn();
    } catch (e) {
      state.key = '';
      throw Object.assign(e, { field: 'key' });
    }
  });
  return card('Sign in', ctx.after ? 'Sign in to open the page you followed.' : null,
    form,
    h('p', { class: 'links' }, link('#/forgot', 'Forgot your password?'), ' · ',
      link('#/signup', 'New here? Create an account')),
    h('details', { class: 'advanced' }, h('summary', null, 'Advanced: sign in with an API key'), keyForm));
}

export function signUpView() {
  const form = h('form', { class: 'stack', novalidate: true },
    field('Full name', input('name', 'text', { autocomplete: 'name', required: true, maxlength: 200 })),
    field('Work email', input('email', 'email', { autocomplete: 'email', required: true, maxlength: 254 }),
      'Use your company address: its domain must be your organisation\'s.'),
    field('Password', input('password', 'password', { autocomplete: 'new-password', required: true }),
      'At least 10 characters.'),
    formError(),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create account')));
  const done = h('div', { class: 'notice ok', role: 'status', hidden: true });
  onSubmit(form, async () => {
    const r = await api('POST', '/v1/portal/signup', { name: form.name.value.trim(),
      email: form.email.value.trim(), password: form.password.value });
    form.hidden = true;
    done.hidden = false;
    done.textContent = r.message || 'Check your inbox: we emailed a link to confirm the address.';
    done.focus && done.setAttribute('tabindex', '-1');
    done.focus();
  });
  return card('Create an account', 'For staff of a payops customer: raise and follow support requests.',
    form, done, h('p', { class: 'links' }, link('#/signin', 'Already have an account? Sign in')));
}

export function forgotView() {
  const form = h('form', { class: 'stack', novalidate: true },
    field('Email', input('email', 'email', { autocomplete: 'email', required: true, maxlength: 254 })),
    formError(),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Email me a reset link')));
  const done = h('div', { class: 'notice ok', role: 'status', hidden: true });
  onSubmit(form, async () => {
    const r = await api('POST', '/v1/portal/password-reset', { email: form.email.value.trim() });
    form.hidden = true;
    done.hidden = false;
    done.textContent = r.message;
  });
  return card('Forgot your password', 'We email a link to choose a new one.', form, done,
    h('p', { class: 'links' }, link('#/signin', 'Back to sign in')));
}

// #/verify/<token>: confirms the address at once.
export function verifyView(ctx, token) {
  const out = h('div', { role: 'status' }, h('p', null, 'Confirming your address…'));
  api('POST', '/v1/portal/verify', { token }).then(() => {
    out.replaceChildren(h('div', { class: 'notice ok' }, 'Your email address is confirmed.'),
      h('p', null, link('#/signin', 'Sign in now', { class: 'button primary' })));
  }, (e) => {
    out.replaceChildren(h('div', { class: 'notice error', role: 'alert' }, e.message),
      h('p', null, 'A link works once and for a limited time. ',
        link('#/signup', 'Sign up again'), ' to get a new one, or ', link('#/signin', 'sign in'), '.'));
  });
  return card('Confirm your email', null, out);
}

// #/reset/<token> and #/invite/<token>: choose a password with the link's token.
export function setPasswordView(ctx, token, invite) {
  const form = h('form', { class: 'stack', novalidate: true },
    field('New password', input('password', 'password', { autocomplete: 'new-password', required: true }),
      'At least 10 characters.'),
    field('Repeat the new password', input('repeat', 'password', { autocomplete: 'new-password', required: true })),
    h('p', { class: 'field-error', 'data-error-for': 'token', hidden: true }),
    formError(),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' },
      invite ? 'Set my password' : 'Change my password')));
  const done = h('div', { role: 'status', hidden: true });
  onSubmit(form, async () => {
    if (form.password.value !== form.repeat.value) {
      throw Object.assign(new Error('the two passwords differ'), { field: 'repeat' });
    }
    try {
      await api('POST', invite ? '/v1/portal/invitations/accept' : '/v1/portal/password-reset/confirm',
        { token, password: form.password.value });
    } catch (e) {
      if (e.field === 'token') e.field = '';  // the link, not a field of the form
      if (e.code && /token|expired|used|invalid/.test(e.code)) {
        // What is wrong with the link (the server's advice is replaced by ours).
        const said = e.message.split(';')[0].replace(/[.\s]*$/, '.');
        e.message = said.charAt(0).toUpperCase() + said.slice(1) + (invite ? ' Ask your administrator for a new invitation.'
          : ' Ask for a new link from “Forgot your password”.');
      }
      throw e;
    }
    form.hidden = true;
    done.hidden = false;
    done.replaceChildren(h('div', { class: 'notice ok' }, 'Your password is set.'),
      h('p', null, link('#/signin', 'Sign in now', { class: 'button primary' })));
  });
  return card(invite ? 'Welcome to payops' : 'Choose a new password',
    invite ? 'You were invited: choose a password to finish setting up your account.' : null,
    form, done, h('p', { class: 'links' }, link('#/forgot', 'Need a new link?')));
}

export function changePasswordView(ctx) {
  if (!state.csrf) {
    return card('Change password', null, h('p', null,
      'You are using an API key: it has no password. Sign in with your email to change it.'));
  }
  const form = h('form', { class: 'stack', novalidate: true },
    field('Current password', input('current_password', 'password', { autocomplete: 'current-password', required: true })),
    field('New password', input('new_password', 'password', { autocomplete: 'new-password', required: true }),
      'At least 10 characters. Every session ends: sign in again afterwards.'),
    formError(),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Change password')));
  onSubmit(form, async () => {
    await api('POST', '/v1/portal/password', { current_password: form.current_password.value,
      new_password: form.new_password.value });
    toast('Password changed: sign in with the new one.');
    ctx.signedOut();
  });
  return card('Change password', null, form);
}

// #/members/invite (admins): invites a person by email; the emailed link
// (#/invite/<token>) sets their password.
export async function inviteView() {
  let orgs = [];
  try {
    orgs = (await api('GET', '/v1/orgs?limit=500')).data;
  } catch (e) { /* the organisation stays optional */ }
  const roles = [['agent', 'Agent'], ['ops_manager', 'Operations manager'], ['admin', 'Administrator'],
    ['emi', 'EMI partner'], ['partner', "Partner's staff (needs an organisation)"]];
  const form = h('form', { class: 'stack', novalidate: true },
    field('Role', h('select', { name: 'role' }, roles.map(([v, t]) => h('option', { value: v }, t)))),
    field('Full name', input('name', 'text', { required: true, maxlength: 200, autocomplete: 'off' })),
    field('Email', input('email', 'email', { required: true, maxlength: 254, autocomplete: 'off' })),
    field('Organisation (partners only)', h('select', { name: 'org_id' },
      h('option', { value: '' }, 'none'), orgs.map((o) => h('option', { value: o.id }, o.name)))),
    h('div', { class: 'field check' }, h('input', { type: 'checkbox', name: 'org_admin', id: 'invite-org-admin' }),
      h('label', { for: 'invite-org-admin' }, 'Administers the organisation (sees all its requests)')),
    formError(),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Send invitation')));
  const done = h('div', { role: 'status' });
  onSubmit(form, async () => {
    const body = { role: form.role.value, name: form.name.value.trim(), email: form.email.value.trim() };
    if (form.org_id.value) body.org_id = form.org_id.value;
    if (form.role.value === 'partner') body.org_admin = form.org_admin.checked;
    const m = await api('POST', '/v1/members', body, { idempotent: true });
    done.replaceChildren(h('div', { class: 'notice ok' }, 'Invitation sent to ' + m.email +
      ': the emailed link lets ' + m.name + ' choose a password.'));
    form.reset();
  });
  return h('div', null, h('h1', null, 'Invite a team member'),
    h('p', { class: 'muted' }, 'The person gets an email with a link to choose a password, then signs in with their email.'),
    form, done);
}
