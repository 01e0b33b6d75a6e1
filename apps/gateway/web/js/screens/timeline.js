// @ts-check
/** Timeline and report for management: filters, paging, CSV export, the evaluation report. */
import { api, calamityName, get } from '../api.js';
import { download, h, replace, time } from '../dom.js';
import { lang, loc, roleName, t } from '../i18n.js';

const PAGE = 50;
const ROLES = [
  'leader',
  'spokesperson',
  'communication',
  'family-liaison',
  'care-coordinator',
  'logkeeper',
  'secretariat',
  'bhv',
  'board-liaison',
  'external-adviser',
];

/** @param {import('../app.js').Ctx} ctx */
export async function timeline(ctx) {
  const [id] = ctx.params;
  const inc = await get(`/api/incidents/${id}`);
  ctx.setDrill(!!inc.drill);
  const error = h('div', { role: 'alert' });
  const entries = h('ol', { class: 'entries', id: 'timeline' });
  const more = h('button', { type: 'button', class: 'secondary hidden', id: 'next-page' }, t('nextPage'));
  const report = h('div', { id: 'report' });

  const type = /** @type {HTMLInputElement} */ (h('input', { id: 'f-type', name: 'type' }));
  const role = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'f-role', name: 'role' },
      h('option', { value: '' }, t('any')),
      ROLES.map((r) => h('option', { value: r }, roleName(r))),
    )
  );
  const person = /** @type {HTMLInputElement} */ (h('input', { id: 'f-person', name: 'person' }));
  const phase = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'f-phase', name: 'phase' },
      h('option', { value: '' }, t('any')),
      [1, 2, 3, 4, 5].map((n) => h('option', { value: n }, n)),
    )
  );
  const manual = /** @type {HTMLInputElement} */ (h('input', { id: 'f-manual', name: 'manual', type: 'checkbox' }));
  const filters = h(
    'form',
    { id: 'filters' },
    h(
      'div',
      { class: 'row' },
      h('div', null, h('label', { for: 'f-type' }, t('filterType')), type),
      h('div', null, h('label', { for: 'f-role' }, t('filterRole')), role),
    ),
    h(
      'div',
      { class: 'row' },
      h('div', null, h('label', { for: 'f-person' }, t('filterPerson')), person),
      h('div', null, h('label', { for: 'f-phase' }, t('filterPhase')), phase),
    ),
    h('label', { class: 'check', for: 'f-manual' }, manual, t('filterManual')),
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit', id: 'apply' }, t('apply')),
      h(
        'button',
        { type: 'button', class: 'secondary', id: 'export-csv', onclick: () => void exportCsv() },
        t('exportCsv'),
      ),
    ),
  );

  const query = () => {
    const q = new URLSearchParams();
    if (type.value.trim()) {
      q.set('type', type.value.trim());
    }
    if (role.value) {
      q.set('role', role.value);
    }
    if (person.value.trim()) {
      q.set('person', person.value.trim());
    }
    if (phase.value) {
      q.set('phase', phase.value);
    }
    if (manual.checked) {
      q.set('manual', 'true');
    }
    return q;
  };

  let lastSeq = 0;
  const loadPage = async (/** @type {boolean} */ reset) => {
    replace(error);
    if (reset) {
      lastSeq = 0;
      replace(entries);
    }
    const q = query();
    q.set('afterSeq', String(lastSeq));
    q.set('limit', String(PAGE));
    try {
      /** @type {any[]} */
      const page = await get(`/api/incidents/${id}/timeline?${q}`);
      for (const entry of page) {
        entries.append(
          h(
            'li',
            { 'data-seq': entry.seq, 'data-type': entry.type },
            h('strong', null, `#${entry.seq} `),
            h('span', null, time(entry.occurredAt), ' · '),
            h('code', null, entry.type),
            typeof entry.data?.text === 'string' ? h('p', null, entry.data.text) : null,
          ),
        );
        lastSeq = entry.seq;
      }
      more.classList.toggle('hidden', page.length < PAGE);
    } catch (e) {
      replace(error, ctx.error(e));
    }
  };

  const exportCsv = async () => {
    replace(error);
    try {
      const q = query();
      q.set('format', 'csv');
      const res = await api('GET', `/api/incidents/${id}/timeline?${q}`, { raw: true });
      download(await res.blob(), `crisisklaar-tijdlijn-${id}.csv`);
    } catch (e) {
      replace(error, ctx.error(e));
    }
  };

  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    void loadPage(true);
  });
  more.addEventListener('click', () => void loadPage(false));

  replace(
    ctx.main,
    h('h1', null, `${t('timelineTitle')}: ${await calamityName(inc.schoolId, inc.calamityType, lang)}`),
    h('a', { href: `/app/incidents/${id}`, 'data-link': true }, `← ${t('incidentTitle')}`),
    filters,
    error,
    entries,
    more,
    h('h2', null, t('reportTitle')),
    report,
  );
  await loadPage(true);

  get(`/api/incidents/${id}/report`)
    .then((r) =>
      replace(
        report,
        h(
          'ul',
          { class: 'board' },
          (r.milestones ?? []).map((/** @type {any} */ m) =>
            h(
              'li',
              { 'data-milestone': m.key },
              h('span', null, loc(m.label)),
              h(
                'span',
                { class: 'muted' },
                m.at
                  ? `${time(m.at)} (+${Math.round(m.afterSeconds / 60)} min)`
                  : m.inPlan
                    ? t('notYet')
                    : t('notInPlan'),
              ),
            ),
          ),
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            id: 'download-report',
            onclick: () =>
              api('GET', `/api/incidents/${id}/report?format=html`, { raw: true })
                .then(async (res) => download(await res.blob(), `crisisklaar-rapport-${id}.html`))
                .catch((e) => replace(error, ctx.error(e))),
          },
          t('downloadReport'),
        ),
      ),
    )
    .catch((e) => replace(report, ctx.error(e)));
}
