// @ts-check
/** Admin: the school's crisis plan (roles, people, deputies in call order) and a CSV import of staff. */
import { get, post, put } from '../api.js';
import { h, replace, time } from '../dom.js';
import { lang, roleName, t } from '../i18n.js';

/** @param {import('../app.js').Ctx} ctx */
export async function admin(ctx) {
  const school = ctx.school;
  const isAdmin = ctx.me.memberships.some((m) => m.schoolId === school.schoolId && m.role === 'admin');
  const error = h('div', { role: 'alert' });
  const planBox = h('div', { id: 'plan' });
  /** @type {Map<string, string>} */
  const names = new Map();
  const render = (/** @type {any} */ plan) => {
    /** @type {{ role: string, people: string[] }[]} */
    const roles = structuredClone(plan.content?.roles ?? []);
    const unavailable = new Set(plan.content?.unavailable ?? []);
    const draw = () =>
      replace(
        planBox,
        h('p', { class: 'muted' }, `${t('planVersion', { n: plan.version })} · ${time(plan.createdAt)}`),
        plan.unstaffedRoles?.length
          ? h('p', { class: 'error' }, `${t('unstaffed')}: ${plan.unstaffedRoles.map(roleName).join(', ')}`)
          : null,
        roles.map((r) =>
          h(
            'section',
            { class: 'card', 'data-role': r.role },
            h('h3', null, roleName(r.role)),
            h(
              'ol',
              { class: 'board' },
              r.people.map((person, i) =>
                h(
                  'li',
                  null,
                  h(
                    'span',
                    null,
                    names.has(person)
                      ? h('strong', null, names.get(person))
                      : h('code', null, person === ctx.me.personId ? ctx.me.name : person.slice(0, 8)),
                    ' ',
                    h('span', { class: 'muted' }, i === 0 ? t('primary') : t('deputy', { n: i })),
                    unavailable.has(person) ? h('span', { class: 'chip bad' }, '✕') : null,
                  ),
                  isAdmin && i > 0
                    ? h(
                        'button',
                        {
                          type: 'button',
                          class: 'secondary',
                          onclick: () => {
                            [r.people[i - 1], r.people[i]] = [
                              /** @type {string} */ (r.people[i]),
                              /** @type {string} */ (r.people[i - 1]),
                            ];
                            draw();
                          },
                        },
                        `↑ ${t('moveUp')}`,
                      )
                    : null,
                ),
              ),
            ),
          ),
        ),
        isAdmin
          ? h(
              'button',
              {
                type: 'button',
                id: 'save-plan',
                onclick: () =>
                  put(`/api/schools/${school.schoolId}/plan`, {
                    content: { ...plan.content, roles },
                    expectedVersion: plan.version,
                  })
                    .then((saved) => {
                      render(saved);
                      replace(error, h('p', { class: 'success' }, t('saved')));
                    })
                    .catch((e) => replace(error, ctx.error(e))),
              },
              t('savePlan'),
            )
          : null,
      );
    draw();
  };
  replace(
    ctx.main,
    h('h1', null, `${t('adminTitle')}: ${school.schoolName}`),
    error,
    planBox,
    isAdmin ? importForm(school.schoolId, ctx) : null,
  );
  try {
    const [plan, people] = await Promise.all([
      get(`/api/schools/${school.schoolId}/plan`),
      get(`/api/schools/${school.schoolId}/people`).catch(() => []),
    ]);
    for (const p of /** @type {{ personId: string, name: string }[]} */ (people)) {
      names.set(p.personId, p.name);
    }
    render(plan);
  } catch (e) {
    replace(planBox, ctx.error(e));
  }
}

/** @param {string} schoolId @param {import('../app.js').Ctx} ctx */
function importForm(schoolId, ctx) {
  const file = /** @type {HTMLInputElement} */ (h('input', { id: 'csv-file', type: 'file', accept: '.csv,text/csv' }));
  const text = /** @type {HTMLTextAreaElement} */ (
    h('textarea', { id: 'csv-text', rows: 5, placeholder: 'email,name,role,phone' })
  );
  const result = h('div', { id: 'import-result', role: 'status' });
  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (chosen) {
      void chosen.text().then((content) => {
        text.value = content;
      });
    }
  });
  const form = h(
    'form',
    { class: 'card', id: 'import' },
    h('h2', null, t('import')),
    h('p', { class: 'muted' }, t('importHelp')),
    h('label', { for: 'csv-file' }, t('csvFile')),
    file,
    h('label', { for: 'csv-text' }, t('csvText')),
    text,
    h('div', { class: 'row' }, h('button', { type: 'submit' }, t('importButton'))),
    result,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    replace(result);
    post(`/api/schools/${schoolId}/people/import`, { csv: text.value })
      .then((/** @type {{ created: number, updated: number, errors: any[] }} */ answer) =>
        replace(
          result,
          h(
            'p',
            { class: answer.errors?.length ? 'error' : 'success' },
            t('importResult', { created: answer.created, updated: answer.updated }),
          ),
          h(
            'ul',
            null,
            (answer.errors ?? []).map((e) =>
              h(
                'li',
                null,
                `${t('line', { n: e.line })}: ${e.field ? `${e.field}: ` : ''}${lang === 'nl' ? (e.messageNl ?? e.message) : e.message}`,
              ),
            ),
          ),
        ),
      )
      .catch((e) => replace(result, ctx.error(e)));
  });
  return form;
}
