// @ts-check
/// <reference lib="webworker" />
/**
 * Crisisklaar's service worker: the app shell offline, push notifications, and "Ik pak het op" from the
 * notification itself (the task is acknowledged without opening the app).
 */
const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

const CACHE = 'crisisklaar-shell-v1';
const SHELL = [
  '/app/',
  '/app.css',
  '/manifest.webmanifest',
  '/icons/icon.svg',
  '/icons/icon-192.png',
  '/js/app.js',
  '/js/api.js',
  '/js/dom.js',
  '/js/i18n.js',
  '/js/screens/admin.js',
  '/js/screens/communication.js',
  '/js/screens/incident.js',
  '/js/screens/tasks.js',
  '/js/screens/timeline.js',
  '/js/screens/trigger.js',
];

/** The page's access token: only a fallback for when the refresh cookie is not there. */
/** @type {string | null} */
let pageToken = null;

sw.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => sw.clients.claim()),
  );
});

sw.addEventListener('message', (event) => {
  if (event.data?.type === 'token') {
    pageToken = typeof event.data.token === 'string' ? event.data.token : null;
  }
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== sw.location.origin || url.pathname.startsWith('/api/')) {
    return; // the API is never cached: a crisis needs today's data or a clear "offline"
  }
  if (request.mode === 'navigate') {
    // Network first for the page, the cached shell when offline (every /app/... path is the same shell).
    event.respondWith(fetch(request).catch(async () => (await caches.match('/app/')) ?? Response.error()));
    return;
  }
  // Static files: the network (revalidated, so a new version shows at once), the cache when offline.
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok && SHELL.includes(url.pathname)) {
          const copy = response.clone();
          void caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(async () => (await caches.match(request)) ?? Response.error()),
  );
});

sw.addEventListener('push', (event) => {
  /** @type {any} */
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    payload = { body: event.data?.text() ?? '' };
  }
  const tag = payload.taskId ?? payload.announcementId ?? payload.aftercareItemId ?? 'crisisklaar';
  const actions = Array.isArray(payload.actions)
    ? payload.actions.map((/** @type {{action: string, title?: string}} */ a) => ({
        action: a.action,
        title: a.title ?? (a.action === 'acknowledge' ? 'Ik pak het op' : 'Openen'),
      }))
    : [];
  event.waitUntil(
    sw.registration.showNotification(payload.title ?? 'Crisisklaar', {
      body: payload.body ?? '',
      tag,
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      requireInteraction: true,
      actions,
      data: {
        url: payload.url ?? '/app/',
        kind: payload.kind ?? null,
        taskId: payload.taskId ?? null,
        incidentId: payload.incidentId ?? null,
        drill: !!payload.drill,
      },
    }),
  );
});

/** A fresh access token from the refresh cookie (same origin), or the page's token as a fallback. */
async function accessToken() {
  try {
    const res = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' });
    if (res.ok) {
      const body = await res.json();
      if (body?.accessToken) {
        return /** @type {string} */ (body.accessToken);
      }
    }
  } catch {
    // offline or no session: fall through
  }
  return pageToken;
}

/** @param {string} taskId */
async function acknowledge(taskId) {
  const token = await accessToken();
  if (!token) {
    return false;
  }
  const res = await fetch(`/api/tasks/${encodeURIComponent(taskId)}/acknowledge`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  return res.ok;
}

/** @param {string} url */
async function openOrFocus(url) {
  const target = new URL(url, sw.location.origin);
  const path = target.origin === sw.location.origin ? target.pathname + target.search : '/app/';
  const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const client of windows) {
    if (new URL(client.url).pathname === path && 'focus' in client) {
      return client.focus();
    }
  }
  const first = windows[0];
  if (first) {
    await first.navigate(path).catch(() => null);
    return first.focus();
  }
  return sw.clients.openWindow(path);
}

/** @param {NotificationEvent} event @param {Promise<unknown>} work */
function keepAlive(event, work) {
  try {
    event.waitUntil(work);
  } catch {
    // A synthetic event (a test dispatching it) cannot extend its lifetime; the work runs all the same.
  }
}

/** @param {any} data */
async function acknowledgeFromNotification(data) {
  const ok = await acknowledge(data.taskId).catch(() => false);
  if (!ok) {
    // Could not do it from here (logged out, offline): open the task so the person can.
    await openOrFocus(data.url ?? '/app/tasks');
    return;
  }
  const windows = await sw.clients.matchAll({ type: 'window' });
  for (const client of windows) {
    client.postMessage({ type: 'task-acknowledged', taskId: data.taskId });
  }
  await sw.registration.showNotification('Crisisklaar', {
    body: 'Opgepakt: de taak staat op jouw naam. / Taken: the task is yours.',
    tag: `ack-${data.taskId}`,
    icon: '/icons/icon-192.png',
    silent: true,
    data: { url: data.url ?? '/app/tasks' },
  });
}

sw.addEventListener('notificationclick', (event) => {
  const data = event.notification.data ?? {};
  event.notification.close();
  if (event.action === 'acknowledge' && data.taskId) {
    keepAlive(event, acknowledgeFromNotification(data));
    return;
  }
  keepAlive(event, openOrFocus(data.url ?? '/app/'));
});
