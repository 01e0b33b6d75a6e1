// @ts-check
/**
 * The API from the phone: the access token lives in sessionStorage (gone with the tab), the refresh token in
 * an HttpOnly cookie the page cannot read. On 401 the client refreshes once, then sends the person to login.
 */
const TOKEN_KEY = 'ck_access';

export class ApiError extends Error {
  /** @param {number} status @param {any} body */
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
  /** The server's message in the person's language. @param {string} lang */
  text(lang) {
    const b = this.body ?? {};
    return (lang === 'nl' ? b.messageNl : undefined) ?? b.message ?? `HTTP ${this.status}`;
  }
}

/** @type {(() => void) | null} */
let onLoggedOut = null;
/** @type {Promise<boolean> | null} */
let refreshing = null;

export const auth = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  /** @param {string | null} token */
  set token(token) {
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token);
    } else {
      sessionStorage.removeItem(TOKEN_KEY);
    }
    shareToken(token);
  },
  /** @param {() => void} fn */
  onLoggedOut(fn) {
    onLoggedOut = fn;
  },
};

/** Tells the service worker the current token: its fallback when the refresh cookie is not there. */
function shareToken(/** @type {string | null} */ token) {
  navigator.serviceWorker?.controller?.postMessage({ type: 'token', token });
}
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.addEventListener('controllerchange', () => shareToken(auth.token));
  void navigator.serviceWorker.ready.then(() => shareToken(auth.token));
}

/** POST /api/auth/refresh with the cookie; true when a new access token came back. */
export function refresh() {
  refreshing ??= fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' })
    .then(async (res) => {
      if (!res.ok) {
        return false;
      }
      const body = await res.json();
      if (!body?.accessToken) {
        return false;
      }
      auth.token = body.accessToken;
      return true;
    })
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/**
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, raw?: boolean, retried?: boolean, anonymous?: boolean }} [opts]
 * @returns {Promise<any>}
 */
export async function api(method, path, opts = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: opts.raw ? '*/*' : 'application/json' };
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  const token = auth.token;
  if (token && !opts.anonymous) {
    headers.authorization = `Bearer ${token}`;
  }
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  if (res.status === 401 && !opts.anonymous) {
    if (!opts.retried && (await refresh())) {
      return api(method, path, { ...opts, retried: true });
    }
    auth.token = null;
    onLoggedOut?.();
    throw new ApiError(401, await res.json().catch(() => ({})));
  }
  if (!res.ok) {
    throw new ApiError(res.status, await res.json().catch(() => ({})));
  }
  if (opts.raw) {
    return res;
  }
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

export const get = (/** @type {string} */ path) => api('GET', path);
export const post = (/** @type {string} */ path, /** @type {unknown} */ body = {}) => api('POST', path, { body });
export const put = (/** @type {string} */ path, /** @type {unknown} */ body = {}) => api('PUT', path, { body });

/** @type {Map<string, Promise<Map<string, {name: string, nameEn: string}>>>} */
const protocolNames = new Map();

/**
 * The calamity type's name in the person's language (the id when it cannot be read).
 * @param {string} schoolId @param {string} type @param {'nl' | 'en'} lang
 */
export async function calamityName(schoolId, type, lang) {
  if (!protocolNames.has(schoolId)) {
    protocolNames.set(
      schoolId,
      get(`/api/protocols?schoolId=${encodeURIComponent(schoolId)}`)
        .then((/** @type {{id: string, name: string, nameEn: string}[]} */ list) => new Map(list.map((p) => [p.id, p])))
        .catch(() => new Map()),
    );
  }
  const p = (await protocolNames.get(schoolId))?.get(type);
  return p ? (lang === 'en' ? p.nameEn : p.name) : type;
}
