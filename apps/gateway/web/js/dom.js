// @ts-check
/** Tiny DOM helpers: no framework, no innerHTML with data (everything is text). */

/**
 * @param {string} tag
 * @param {Record<string, unknown> | null} [attrs]
 * @param {...(Node | string | number | null | undefined | false | (Node | string | null | undefined | false)[])} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), /** @type {EventListener} */ (value));
    } else if (key === 'class') {
      el.className = String(value);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

/**
 * @param {HTMLElement} el
 * @param {unknown[]} children
 */
function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      append(el, child);
    } else if (child instanceof Node) {
      el.append(child);
    } else {
      el.append(String(child));
    }
  }
}

/** @param {HTMLElement} el @param {...unknown} children */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A random id for idempotency keys and client-chosen ids. */
export function uuid() {
  return crypto.randomUUID();
}

/** @param {string | null | undefined} iso */
export function time(iso) {
  if (!iso) {
    return '–';
  }
  return new Date(iso).toLocaleString(document.documentElement.lang === 'en' ? 'en-GB' : 'nl-NL', {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** A countdown "nog 12:34" / "3 min te laat" to a due time. @param {string} iso @param {(k: string, v?: Record<string, string | number>) => string} t */
export function countdown(iso, t) {
  const ms = new Date(iso).getTime() - Date.now();
  const abs = Math.abs(ms);
  const s = Math.floor(abs / 1000) % 60;
  const m = Math.floor(abs / 60_000) % 60;
  const hours = Math.floor(abs / 3_600_000);
  const text =
    hours >= 48
      ? t('days', { n: Math.floor(hours / 24) })
      : `${hours > 0 ? `${hours}:${String(m).padStart(2, '0')}` : m}:${String(s).padStart(2, '0')}`;
  return { late: ms < 0, text: ms < 0 ? t('late', { time: text }) : t('dueIn', { time: text }) };
}

/** Saves a blob as a download. @param {Blob} blob @param {string} name */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, class: 'hidden' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
