// @ts-check
/** The shell: language, routing (History API under /app/), login with the optional SMS code, push, offline. */
import { api, ApiError, auth, get, post } from './api.js';
import { h, replace } from './dom.js';
import { lang, setLang, t } from './i18n.js';
import { admin } from './screens/admin.js';
import { communication } from './screens/communication.js';
import { incident, incidents } from './screens/incident.js';
import { announcement, aftercare, tasks } from './screens/tasks.js';
import { timeline } from './screens/timeline.js';
import { trigger } from './screens/trigger.js';

/**
 * @typedef {{ schoolId: string, schoolName: string, boardId: string, role: string }} Membership
 * @typedef {{ personId: string, name: string, memberships: Membership[] }} Me
 * @typedef {{ main: HTMLElement, params: string[], go: (path: string) => void, onLeave: (fn: () => void) => void,
 *   me: Me, school: Membership, setDrill: (on: boolean) => void, error: (e: unknown) => HTMLElement }} Ctx
 */

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));
const langButton = /** @type {HTMLButtonElement} */ (document.getElementById('lang'));
const offline = /** @type {HTMLElement} */ (document.getElementById('offline'));
const drillBadge = /** @type {HTMLElement} */ (document.getElementById('drill-badge'));

/** @type {Me | null} */
let me = null;
/** @type {(() => void)[]} */
let leaving = [];

/** @type {[RegExp, (ctx: Ctx) => Promise<void> | void][]} */
const ROUTES = [
  [/^\/app\/trigger$/, trigger],
  [/^\/app\/tasks(?:\/([\w-]+))?$/, tasks],
  [/^\/app\/incidents$/, incidents],
  [/^\/app\/incidents\/([\w-]+)$/, incident],
  [/^\/app\/incidents\/([\w-]+)\/communication$/, communication],
  [/^\/app\/incidents\/([\w-]+)\/timeline$/, timeline],
  [/^\/app\/announcements\/([\w-]+)$/, announcement],
  [/^\/app\/aftercare\/([\w-]+)$/, aftercare],
  [/^\/app\/admin$/, admin],
];

/** @param {string} path */
function go(path) {
  if (path !== location.pathname + location.search) {
    history.pushState(null, '', path);
  }
  void render();
}

/** @param {boolean} on */
function setDrill(on) {
  document.body.classList.toggle('drill', on);
  drillBadge.hidden = !on;
  drillBadge.textContent = t('drill');
}

/** @returns {Membership | null} */
function currentSchool() {
  const list = me?.memberships ?? [];
  const chosen = localStorage.getItem('ck_school');
  return list.find((m) => m.schoolId === chosen) ?? list[0] ?? null;
}

/** @param {Membership} school */
function homePath(school) {
  switch (school.role) {
    case 'crisis_team':
      return '/app/trigger';
    case 'management':
      return '/app/incidents';
    case 'admin':
      return '/app/admin';
    default:
      return '/app/tasks';
  }
}

/** @param {unknown} e */
function errorBox(e) {
  const text = e instanceof ApiError ? e.text(lang) : navigator.onLine ? String(e) : t('offline');
  return h('p', { class: 'error', role: 'alert' }, text);
}

/** @param {Membership} school */
function renderNav(school) {
  const roles = (me?.memberships ?? []).filter((m) => m.schoolId === school.schoolId).map((m) => m.role);
  const has = (/** @type {string[]} */ wanted) => roles.some((r) => wanted.includes(r));
  /** @type {[string, string, boolean][]} */
  const links = [
    ['/app/trigger', t('navTrigger'), has(['crisis_team', 'admin'])],
    ['/app/tasks', t('navTasks'), true],
    ['/app/incidents', t('navIncidents'), has(['crisis_team', 'management', 'admin'])],
    ['/app/admin', t('navAdmin'), has(['admin', 'management', 'crisis_team'])],
  ];
  replace(
    nav,
    links
      .filter(([, , show]) => show)
      .map(([href, label]) =>
        h('a', { href, 'data-link': true, 'aria-current': location.pathname.startsWith(href) ? 'page' : null }, label),
      ),
    h('a', { href: '/app/logout', 'data-link': true, id: 'logout' }, t('logout')),
  );
  nav.hidden = false;
}

async function render() {
  for (const fn of leaving) {
    fn();
  }
  leaving = [];
  setDrill(false);
  document.documentElement.lang = lang;
  langButton.textContent = lang === 'nl' ? 'EN' : 'NL';
  langButton.setAttribute('aria-label', lang === 'nl' ? 'English' : 'Nederlands');
  const skip = document.querySelector('.skip');
  if (skip) {
    skip.textContent = t('skip');
  }
  const path = location.pathname.replace(/\/+$/, '') || '/';
  if (path === '/app/logout') {
    await api('POST', '/api/auth/logout', { anonymous: false, retried: true }).catch(() => undefined);
    auth.token = null;
    me = null;
    history.replaceState(null, '', '/app/login');
    return render();
  }
  if (!auth.token && path !== '/app/login') {
    sessionStorage.setItem('ck_after_login', location.pathname);
    history.replaceState(null, '', '/app/login');
  }
  if (location.pathname === '/app/login') {
    nav.hidden = true;
    replace(main, loginScreen());
    return;
  }
  try {
    me ??= await get('/api/me');
  } catch (e) {
    replace(main, errorBox(e), h('button', { type: 'button', onclick: () => void render() }, t('retry')));
    return;
  }
  const school = currentSchool();
  if (!me || !school) {
    replace(main, h('p', null, t('notFound')));
    return;
  }
  if (path === '/' || path === '/app') {
    history.replaceState(null, '', homePath(school));
  }
  renderNav(school);
  const match = ROUTES.map(([re, screen]) => /** @type {const} */ ([re.exec(location.pathname), screen])).find(
    ([m]) => m,
  );
  if (!match) {
    replace(main, h('h1', null, t('notFound')));
    return;
  }
  const [m, screen] = match;
  replace(main, h('p', { class: 'muted' }, t('loading')));
  /** @type {Ctx} */
  const ctx = {
    main,
    params: /** @type {string[]} */ (m?.slice(1) ?? []),
    go,
    onLeave: (fn) => leaving.push(fn),
    me,
    school,
    setDrill,
    error: errorBox,
  };
  try {
    await screen(ctx);
  } catch (e) {
    replace(main, errorBox(e));
  }
}

function loginScreen() {
  const error = h('div', { role: 'alert' });
  const email = h('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const submit = h('button', { type: 'submit', id: 'login' }, t('login'));
  const form = h(
    'form',
    { class: 'stack', id: 'login-form' },
    h('h1', null, t('loginTitle')),
    h('label', { for: 'email' }, t('email')),
    email,
    h('label', { for: 'password' }, t('password')),
    password,
    error,
    h('div', { class: 'row' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.toggleAttribute('disabled', true);
    replace(error);
    void askNotificationPermission();
    api('POST', '/api/auth/login', {
      anonymous: true,
      body: {
        email: /** @type {HTMLInputElement} */ (email).value.trim(),
        password: /** @type {HTMLInputElement} */ (password).value,
      },
    })
      .then((answer) => (answer?.otpRequired ? form.replaceWith(otpForm(answer)) : loggedIn(answer)))
      .catch((e) => replace(error, errorBox(e)))
      .finally(() => submit.removeAttribute('disabled'));
  });
  return form;
}

/** @param {{ challengeId: string, phoneHint?: string }} challenge */
function otpForm(challenge) {
  const error = h('div', { role: 'alert' });
  const code = h('input', {
    id: 'otp',
    name: 'otp',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    pattern: '[0-9]{6}',
    maxlength: 6,
    required: true,
  });
  const submit = h('button', { type: 'submit', id: 'verify' }, t('verify'));
  const form = h(
    'form',
    { class: 'stack', id: 'otp-form' },
    h('h1', null, t('otpTitle')),
    h('p', null, t('otpHelp', { phone: challenge.phoneHint ?? '' })),
    h('label', { for: 'otp' }, t('otp')),
    code,
    error,
    h('div', { class: 'row' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.toggleAttribute('disabled', true);
    replace(error);
    api('POST', '/api/auth/otp', {
      anonymous: true,
      body: { challengeId: challenge.challengeId, code: /** @type {HTMLInputElement} */ (code).value.trim() },
    })
      .then(loggedIn)
      .catch((e) => replace(error, errorBox(e)))
      .finally(() => submit.removeAttribute('disabled'));
  });
  setTimeout(() => code.focus(), 0);
  return form;
}

/** @param {{ accessToken: string }} answer */
function loggedIn(answer) {
  auth.token = answer.accessToken;
  me = null;
  const next = sessionStorage.getItem('ck_after_login');
  sessionStorage.removeItem('ck_after_login');
  void registerPush();
  go(next && next.startsWith('/app/') && next !== '/app/login' ? next : '/app/');
}

async function askNotificationPermission() {
  if ('Notification' in window && Notification.permission === 'default') {
    await Notification.requestPermission().catch(() => 'default');
  }
}

/** @param {string} base64url */
function keyBytes(base64url) {
  const b64 = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/** Web push for this device when the browser allows it; otherwise the notifier falls back to SMS. */
async function registerPush() {
  try {
    if (!('serviceWorker' in navigator) || !('PushManager' in window) || Notification.permission !== 'granted') {
      return false;
    }
    const registration = await navigator.serviceWorker.ready;
    let subscription = await registration.pushManager.getSubscription();
    if (!subscription) {
      const { publicKey } = await get('/api/push/vapid-public-key');
      // A push service out of reach must not hang the app: give up after 15 s.
      subscription = await Promise.race([
        registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }),
        new Promise((_, reject) => setTimeout(() => reject(new Error('push subscribe timed out')), 15_000)),
      ]);
    }
    await post('/api/push/subscriptions', /** @type {PushSubscription} */ (subscription).toJSON());
    return true;
  } catch {
    return false;
  }
}

function updateOnline() {
  offline.hidden = navigator.onLine;
  offline.textContent = t('offline');
}

langButton.addEventListener('click', () => {
  setLang(lang === 'nl' ? 'en' : 'nl');
  void render();
});
document.addEventListener('click', (event) => {
  const link = /** @type {HTMLElement} */ (event.target).closest?.('a[data-link]');
  if (link instanceof HTMLAnchorElement && link.origin === location.origin && !event.ctrlKey && !event.metaKey) {
    event.preventDefault();
    go(link.pathname + link.search);
  }
});
window.addEventListener('popstate', () => void render());
window.addEventListener('online', updateOnline);
window.addEventListener('offline', updateOnline);
auth.onLoggedOut(() => {
  if (location.pathname !== '/app/login') {
    sessionStorage.setItem('ck_after_login', location.pathname);
    history.replaceState(null, '', '/app/login');
    void render();
  }
});
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data?.type === 'task-acknowledged' && location.pathname.startsWith('/app/tasks')) {
      void render();
    }
  });
}
updateOnline();
void render();
