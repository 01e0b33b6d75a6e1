// @ts-check
/** Incidents of the school, and one incident live: the task board per role and the delivery board. */
import { calamityName, get } from '../api.js';
import { h, replace, time } from '../dom.js';
import { lang, loc, roleName, t } from '../i18n.js';
import { dueLabel, statusChip } from './tasks.js';

const POLL_MS = 4000;

/** @param {import('../app.js').Ctx} ctx */
export async function incidents(ctx) {
  const schools = [...new Map(ctx.me.memberships.map((m) => [m.schoolId, m])).values()];
  const lists = await Promise.all(
    schools.map((s) =>
      get(`/api/schools/${s.schoolId}/incidents`)
        .then((answer) => ({ school: s, answer }))
        .catch(() => null),
    ),
  );
  /** @param {any[]} items @param {Map<string, string>} names */
  const list = (items, names) =>
    items.length === 0
      ? h('p', { class: 'muted' }, t('none'))
      : h(
          'ul',
          { class: 'board' },
          items.map((i) =>
            h(
              'li',
              null,
              h(
                'a',
                { href: `/app/incidents/${i.id}`, 'data-link': true, 'data-incident': i.id },
                names.get(i.calamityType) ?? i.calamityType,
              ),
              h('span', { class: 'muted' }, `${time(i.createdAt)} · ${i.status}`),
            ),
          ),
        );
  /** @type {Map<string, Map<string, string>>} */
  const names = new Map();
  for (const entry of lists) {
    if (entry) {
      const all = [...(entry.answer.incidents ?? []), ...(entry.answer.drills ?? [])];
      const pairs = await Promise.all(
        [...new Set(all.map((i) => i.calamityType))].map(
          async (type) =>
            /** @type {[string, string]} */ ([type, await calamityName(entry.school.schoolId, type, lang)]),
        ),
      );
      names.set(entry.school.schoolId, new Map(pairs));
    }
  }
  replace(
    ctx.main,
    h('h1', null, t('incidentsTitle')),
    lists
      .filter((x) => x !== null)
      .map(({ school, answer }) => [
        schools.length > 1 ? h('h2', null, school.schoolName) : null,
        h('h2', null, t('real')),
        list(answer.incidents ?? [], names.get(school.schoolId) ?? new Map()),
        h('h2', null, t('drills')),
        list(answer.drills ?? [], names.get(school.schoolId) ?? new Map()),
      ]),
  );
}

/** @param {any[]} deliveries */
function reach(deliveries) {
  /** @type {Map<string, { reached: boolean, acknowledged: boolean, failed: boolean }>} */
  const people = new Map();
  for (const d of deliveries) {
    const p = people.get(d.personId) ?? { reached: false, acknowledged: false, failed: false };
    if (d.status === 'acknowledged' || d.acknowledgedAt) {
      p.acknowledged = true;
    }
    if (['sent', 'delivered', 'acknowledged'].includes(d.status)) {
      p.reached = true;
    }
    if (['failed', 'expired', 'unreachable'].includes(d.status)) {
      p.failed = true;
    }
    people.set(d.personId, p);
  }
  const all = [...people.values()];
  return {
    reached: all.filter((p) => p.reached || p.acknowledged).length,
    acknowledged: all.filter((p) => p.acknowledged).length,
    notReached: all.filter((p) => p.failed && !p.reached && !p.acknowledged).length,
  };
}

/** @param {import('../app.js').Ctx} ctx */
export async function incident(ctx) {
  const [id] = ctx.params;
  const header = h('div');
  const board = h('div', { id: 'task-board' });
  const deliveries = h('div', { id: 'delivery-board' });
  const error = h('div', { role: 'alert' });
  replace(
    ctx.main,
    header,
    h(
      'div',
      { class: 'row' },
      h(
        'a',
        { class: 'button secondary', href: `/app/incidents/${id}/communication`, 'data-link': true },
        t('communication'),
      ),
      h('a', { class: 'button secondary', href: `/app/incidents/${id}/timeline`, 'data-link': true }, t('timeline')),
    ),
    h('h2', null, t('deliveryBoard')),
    deliveries,
    h('h2', null, t('taskBoard')),
    h('p', { class: 'muted' }, t('live')),
    board,
    error,
  );
  let stopped = false;
  ctx.onLeave(() => {
    stopped = true;
  });
  const load = async () => {
    const [inc, sent] = await Promise.all([
      get(`/api/incidents/${id}`),
      get(`/api/incidents/${id}/deliveries`).catch(() => []),
    ]);
    if (stopped) {
      return;
    }
    ctx.setDrill(!!inc.drill);
    replace(
      header,
      h('h1', null, `${t('incidentTitle')}: ${await calamityName(inc.schoolId, inc.calamityType, lang)}`),
      h('p', null, h('span', { class: 'chip' }, inc.status), ' ', time(inc.createdAt)),
      inc.summary ? h('p', null, inc.summary) : null,
    );
    const counts = reach(sent);
    replace(
      deliveries,
      h(
        'div',
        { class: 'stats' },
        h('div', { 'data-count': 'reached' }, h('strong', null, counts.reached), t('reached')),
        h('div', { 'data-count': 'acknowledged' }, h('strong', null, counts.acknowledged), t('acknowledgedCount')),
        h('div', { 'data-count': 'not-reached' }, h('strong', null, counts.notReached), t('notReached')),
      ),
    );
    /** @type {Map<string, any[]>} */
    const byRole = new Map();
    for (const task of inc.tasks ?? []) {
      byRole.set(task.role, [...(byRole.get(task.role) ?? []), task]);
    }
    replace(
      board,
      [...byRole].map(([role, roleTasks]) =>
        h(
          'section',
          { class: 'card', 'data-role': role },
          h('h3', null, roleName(role)),
          h(
            'ul',
            { class: 'board' },
            roleTasks.map((task) =>
              h(
                'li',
                { 'data-task': task.id, 'data-status': task.status },
                h('span', null, loc(task.title)),
                h(
                  'span',
                  null,
                  statusChip(task.status),
                  ' ',
                  ['done', 'not_applicable', 'reassigned'].includes(task.status) ? '' : dueLabel(task.dueAt),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  };
  await load();
  /** @type {ReturnType<typeof setTimeout>} */
  let timer;
  const poll = () => {
    timer = setTimeout(() => {
      load()
        .then(() => replace(error))
        .catch((e) => replace(error, ctx.error(e)))
        .finally(() => {
          if (!stopped) {
            poll();
          }
        });
    }, POLL_MS);
  };
  poll();
  ctx.onLeave(() => clearTimeout(timer));
}
