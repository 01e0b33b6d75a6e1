// @ts-check
/** My tasks (acknowledge, done with a note, counting down, the parties to call), and the push/SMS deep links. */
import { get, post } from '../api.js';
import { countdown, h, replace, time } from '../dom.js';
import { loc, t } from '../i18n.js';

const OPEN = ['pending', 'notified', 'acknowledged'];

/**
 * @typedef {{ id: string, incidentId: string, role: string, status: string, title: {nl: string, en: string},
 *   instruction: {nl: string, en: string}, dueAt: string, priority: string, ackRequired: boolean, drill?: boolean,
 *   note: string | null, acknowledgedAt: string | null }} Task
 */

/** @type {ReturnType<typeof setInterval> | null} */
let ticker = null;

/** @param {HTMLElement} el */
function tick(el) {
  const { late, text } = countdown(el.dataset.due ?? '', t);
  el.textContent = text;
  el.classList.toggle('late', late);
}

/** A "nog 4:59" label that counts down (one timer for all of them on the page). @param {string} dueAt */
export function dueLabel(dueAt) {
  const el = h('span', { class: 'due', 'data-due': dueAt });
  tick(el);
  ticker ??= setInterval(
    () => document.querySelectorAll('.due[data-due]').forEach((e) => tick(/** @type {HTMLElement} */ (e))),
    1000,
  );
  return el;
}

/** @param {string} status */
export function statusChip(status) {
  const tone = status === 'done' ? 'ok' : status === 'acknowledged' ? 'ok' : status === 'not_applicable' ? '' : 'warn';
  return h('span', { class: `chip ${tone}`, 'data-status': status }, t(`status_${status}`));
}

/** @param {import('../app.js').Ctx} ctx */
export async function tasks(ctx) {
  const [onlyId] = ctx.params;
  /** @type {Task[]} */
  const all = await get('/api/me/tasks');
  const shown = onlyId ? all.filter((task) => task.id === onlyId) : all.filter((task) => OPEN.includes(task.status));
  ctx.setDrill(shown.some((task) => task.drill));
  const list = h('div', { id: 'tasks' });
  replace(
    ctx.main,
    h('h1', null, t('tasksTitle')),
    shown.length === 0 ? h('p', { class: 'muted', id: 'no-tasks' }, t(onlyId ? 'notFound' : 'noTasks')) : list,
  );
  for (const task of shown) {
    list.append(taskCard(task, ctx, !!onlyId));
  }
  // Keep the list fresh while it is open (a task handed over, a new one assigned).
  if (!onlyId) {
    const timer = setInterval(() => {
      void get('/api/me/tasks')
        .then((/** @type {Task[]} */ fresh) => {
          const open = fresh.filter((task) => OPEN.includes(task.status));
          const known = new Set(shown.map((task) => `${task.id}:${task.status}`));
          if (open.length !== shown.length || open.some((task) => !known.has(`${task.id}:${task.status}`))) {
            if (!document.activeElement || document.activeElement === document.body) {
              void tasks(ctx);
            }
          }
        })
        .catch(() => undefined);
    }, 10_000);
    ctx.onLeave(() => clearInterval(timer));
  }
}

/** @param {Task} task @param {import('../app.js').Ctx} ctx @param {boolean} expanded */
function taskCard(task, ctx, expanded) {
  const error = h('div', { role: 'alert' });
  const card = h('article', { class: `card ${task.priority}`, 'data-task': task.id, 'data-status': task.status });
  const actions = h('div', { class: 'row' });
  const note = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: `note-${task.id}`, maxlength: 2000 }));
  const doneForm = h(
    'form',
    { class: 'hidden' },
    h('label', { for: `note-${task.id}` }, t('note')),
    note,
    h('div', { class: 'row' }, h('button', { type: 'submit', 'data-action': 'save-done' }, t('saveDone'))),
  );
  const act = async (/** @type {string} */ path, /** @type {unknown} */ body) => {
    replace(error);
    try {
      const updated = await post(path, body);
      card.replaceWith(taskCard({ ...task, ...updated }, ctx, expanded));
    } catch (e) {
      replace(error, ctx.error(e));
    }
  };
  if (task.status === 'pending' || task.status === 'notified') {
    actions.append(
      h(
        'button',
        { type: 'button', 'data-action': 'acknowledge', onclick: () => act(`/api/tasks/${task.id}/acknowledge`, {}) },
        t('acknowledge'),
      ),
    );
  }
  if (OPEN.includes(task.status)) {
    actions.append(
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'data-action': 'done',
          onclick: () => {
            doneForm.classList.remove('hidden');
            note.focus();
          },
        },
        t('done'),
      ),
    );
  }
  doneForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(`/api/tasks/${task.id}/complete`, note.value.trim() ? { note: note.value.trim() } : {});
  });

  const parties = h('div');
  const details = h('details', { open: expanded || null }, h('summary', null, t('parties')), parties);
  let loaded = false;
  const loadParties = () => {
    if (loaded) {
      return;
    }
    loaded = true;
    get(`/api/tasks/${task.id}/parties`)
      .then((answer) => replace(parties, partyList(answer.parties ?? [], `/api/tasks/${task.id}/contacts`, ctx)))
      .catch((e) => replace(parties, ctx.error(e)));
  };
  details.addEventListener('toggle', loadParties);
  if (expanded) {
    loadParties();
  }

  replace(
    card,
    h('h3', null, loc(task.title)),
    h('p', null, statusChip(task.status), ' ', dueLabel(task.dueAt)),
    h('p', null, loc(task.instruction)),
    task.note ? h('p', { class: 'muted' }, task.note) : null,
    actions,
    doneForm,
    error,
    details,
    h('a', { href: `/app/incidents/${task.incidentId}`, 'data-link': true }, t('openIncident')),
  );
  return card;
}

/**
 * The sociale kaart's parties with tap-to-call, and "called: outcome…" in one tap.
 * @param {any[]} parties @param {string | null} contactsPath @param {import('../app.js').Ctx} ctx
 */
export function partyList(parties, contactsPath, ctx) {
  if (parties.length === 0) {
    return h('p', { class: 'muted' }, t('none'));
  }
  return h(
    'ul',
    { class: 'entries' },
    parties.map((party) => {
      const status = h('div', { role: 'status' });
      return h(
        'li',
        { 'data-party': party.party },
        h('h3', null, loc(party.name)),
        party.whenToCall ? h('p', { class: 'muted' }, loc(party.whenToCall)) : null,
        (party.entries ?? []).map((/** @type {any} */ entry) =>
          h(
            'div',
            { class: 'stack' },
            h('p', null, entry.name),
            h('a', { class: 'button secondary tel', href: entry.telUri || `tel:${entry.phone}` }, `☎ ${entry.phone}`),
            contactsPath
              ? h(
                  'div',
                  { class: 'row' },
                  [
                    ['outcomeReached', 'reached'],
                    ['outcomeNoAnswer', 'no-answer'],
                    ['outcomeVoicemail', 'voicemail'],
                  ].map(([label, code]) =>
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'secondary',
                        'data-outcome': code,
                        onclick: () =>
                          post(contactsPath, {
                            party: party.party,
                            ...(entry.id ? { entryId: entry.id } : {}),
                            outcome: `${t('called')} ${t(label)}`,
                          })
                            .then(() => replace(status, h('p', { class: 'success' }, t('logged'))))
                            .catch((e) => replace(status, ctx.error(e))),
                      },
                      t(label),
                    ),
                  ),
                )
              : null,
          ),
        ),
        status,
      );
    }),
  );
}

/** /app/announcements/:id from a push or SMS. @param {import('../app.js').Ctx} ctx */
export async function announcement(ctx) {
  const a = await get(`/api/announcements/${ctx.params[0]}`);
  ctx.setDrill(!!a.drill);
  replace(
    ctx.main,
    h('h1', null, t('announcement')),
    h('p', { class: 'muted' }, time(a.createdAt)),
    h('pre', { class: 'body' }, a.text),
    h('a', { href: '/app/tasks', 'data-link': true }, t('navTasks')),
  );
}

/** /app/aftercare/:id from a push or SMS. @param {import('../app.js').Ctx} ctx */
export async function aftercare(ctx) {
  const item = await get(`/api/aftercare/${ctx.params[0]}`);
  ctx.setDrill(!!item.drill);
  replace(
    ctx.main,
    h('h1', null, t('aftercare')),
    h(
      'article',
      { class: 'card' },
      h('h3', null, loc(item.title)),
      h('p', null, item.subject ?? ''),
      h('p', null, dueLabel(item.dueAt)),
      h('p', { class: 'muted' }, item.state),
    ),
  );
}
