// @ts-check
/** Trigger: the school, the calamity type as large buttons, a summary, a drill switch, press-and-hold to start. */
import { ApiError, get, post } from '../api.js';
import { h, replace, uuid } from '../dom.js';
import { lang, t } from '../i18n.js';

const HOLD_MS = 1500;

/** @param {import('../app.js').Ctx} ctx */
export async function trigger(ctx) {
  const schools = ctx.me.memberships.filter((m) => m.role === 'crisis_team' || m.role === 'admin');
  let school = schools.find((m) => m.schoolId === ctx.school.schoolId) ?? schools[0];
  if (!school) {
    replace(ctx.main, h('p', { class: 'error' }, t('notFound')));
    return;
  }
  /** @type {{ id: string, name: string, nameEn: string, description: string, descriptionEn: string }[]} */
  let protocols = await get(`/api/protocols?schoolId=${encodeURIComponent(school.schoolId)}`);
  /** @type {string | null} */
  let chosen = null;
  /** One key per attempt: a double tap or a retry of the same attempt is the same incident. */
  /** @type {string | null} */
  let attemptKey = null;
  const resetAttempt = () => {
    attemptKey = null;
  };

  const error = h('div', { role: 'alert' });
  const types = h('div', { class: 'types', role: 'group', 'aria-labelledby': 'types-label' });
  const renderTypes = () =>
    replace(
      types,
      protocols.map((p) =>
        h(
          'button',
          {
            type: 'button',
            class: 'type secondary',
            'data-type': p.id,
            'aria-pressed': String(chosen === p.id),
            onclick: () => {
              chosen = p.id;
              resetAttempt();
              renderTypes();
              replace(error);
            },
          },
          lang === 'en' ? p.nameEn : p.name,
        ),
      ),
    );
  renderTypes();

  const summary = /** @type {HTMLTextAreaElement} */ (
    h('textarea', { id: 'summary', maxlength: 2000, rows: 3, 'aria-describedby': 'summary-help' })
  );
  summary.addEventListener('input', resetAttempt);
  const drill = /** @type {HTMLInputElement} */ (h('input', { id: 'drill', type: 'checkbox' }));
  const drillNote = h('p', { class: 'muted', hidden: true }, t('drillOn'));
  const holdLabel = h('span', null, t('holdToStart'));
  const hold = h('button', { type: 'button', class: 'hold', id: 'hold' }, holdLabel);
  drill.addEventListener('change', () => {
    ctx.setDrill(drill.checked);
    drillNote.hidden = !drill.checked;
    holdLabel.textContent = drill.checked ? t('holdToStartDrill') : t('holdToStart');
    resetAttempt();
  });

  const schoolSelect =
    schools.length > 1
      ? h(
          'div',
          null,
          h('label', { for: 'school' }, t('school')),
          h(
            'select',
            {
              id: 'school',
              onchange: async (/** @type {Event} */ e) => {
                const id = /** @type {HTMLSelectElement} */ (e.target).value;
                school = schools.find((m) => m.schoolId === id) ?? school;
                localStorage.setItem('ck_school', id);
                protocols = await get(`/api/protocols?schoolId=${encodeURIComponent(id)}`);
                chosen = null;
                resetAttempt();
                renderTypes();
              },
            },
            schools.map((m) =>
              h('option', { value: m.schoolId, selected: m.schoolId === school?.schoolId }, m.schoolName),
            ),
          ),
        )
      : h('p', { class: 'muted' }, school.schoolName);

  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  let busy = false;
  const cancel = () => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    hold.classList.remove('holding');
  };
  const start = (/** @type {Event} */ event) => {
    event.preventDefault();
    if (busy || timer) {
      return;
    }
    if (!chosen) {
      replace(error, h('p', { class: 'error' }, t('chooseFirst')));
      return;
    }
    hold.classList.add('holding');
    timer = setTimeout(() => {
      timer = null;
      void fire();
    }, HOLD_MS);
  };
  const fire = async () => {
    busy = true;
    holdLabel.textContent = t('starting');
    attemptKey ??= `pwa-${uuid()}`;
    try {
      const created = await post('/api/incidents', {
        calamityType: chosen,
        schoolId: school?.schoolId,
        summary: summary.value.trim(),
        drill: drill.checked,
        idempotencyKey: attemptKey,
      });
      attemptKey = null;
      ctx.go(`/app/incidents/${created.id}`);
    } catch (e) {
      replace(error, ctx.error(e));
      if (e instanceof ApiError && e.status < 500) {
        resetAttempt();
      }
      holdLabel.textContent = drill.checked ? t('holdToStartDrill') : t('holdToStart');
    } finally {
      busy = false;
      hold.classList.remove('holding');
    }
  };
  hold.addEventListener('pointerdown', start);
  for (const end of ['pointerup', 'pointerleave', 'pointercancel']) {
    hold.addEventListener(end, cancel);
  }
  hold.addEventListener('contextmenu', (e) => e.preventDefault());
  hold.addEventListener('keydown', (e) => {
    if ((e.key === 'Enter' || e.key === ' ') && !e.repeat) {
      start(e);
    }
  });
  hold.addEventListener('keyup', cancel);
  hold.addEventListener('blur', cancel);
  ctx.onLeave(cancel);

  replace(
    ctx.main,
    h('h1', null, t('triggerTitle')),
    schoolSelect,
    h('h2', { id: 'types-label' }, t('chooseType')),
    types,
    h('label', { for: 'summary' }, t('summary')),
    summary,
    h('p', { class: 'muted', id: 'summary-help' }, t('summaryHelp')),
    h('label', { class: 'switch', for: 'drill' }, drill, t('drillSwitch')),
    drillNote,
    error,
    hold,
  );
}
