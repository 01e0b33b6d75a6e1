// @ts-check
/** Communication: the core message and the audience messages with their state and approvals; the sociale kaart. */
import { calamityName, get, post } from '../api.js';
import { h, replace, time, uuid } from '../dom.js';
import { lang, loc, t } from '../i18n.js';
import { partyList } from './tasks.js';

const CHANNELS = ['parent-portal', 'email', 'letter', 'website', 'social-media', 'press', 'meeting', 'other'];

/** @param {import('../app.js').Ctx} ctx */
export async function communication(ctx) {
  const [id] = ctx.params;
  const inc = await get(`/api/incidents/${id}`);
  ctx.setDrill(!!inc.drill);
  const list = h('div', { id: 'messages' });
  const map = h('div', { id: 'social-map' });
  const error = h('div', { role: 'alert' });
  replace(
    ctx.main,
    h('h1', null, `${t('communication')}: ${await calamityName(inc.schoolId, inc.calamityType, lang)}`),
    h('a', { href: `/app/incidents/${id}`, 'data-link': true }, `← ${t('incidentTitle')}`),
    h('h2', null, t('messagesTitle')),
    error,
    list,
    h('h2', null, t('socialMap')),
    map,
  );

  const load = async () => {
    /** @type {any[]} */
    const messages = await get(`/api/incidents/${id}/messages`);
    replace(
      list,
      messages.length === 0 ? h('p', { class: 'muted' }, t('noMessages')) : null,
      messages.some((m) => m.audience === 'core')
        ? null
        : h(
            'button',
            {
              type: 'button',
              id: 'draft-core',
              onclick: () =>
                post(`/api/incidents/${id}/messages`, { audience: 'core', language: lang, messageId: uuid() })
                  .then(load)
                  .catch((e) => replace(error, ctx.error(e))),
            },
            t('draftCore'),
          ),
      messages.map((m) => messageCard(m, load, error, ctx)),
    );
  };
  await load();
  get(`/api/incidents/${id}/social-map`)
    .then((view) => replace(map, partyList(view.parties ?? [], `/api/incidents/${id}/contacts`, ctx)))
    .catch((e) => replace(map, ctx.error(e)));
}

/**
 * @param {any} m a MessageView
 * @param {() => Promise<void>} reload
 * @param {HTMLElement} error
 * @param {import('../app.js').Ctx} ctx
 */
function messageCard(m, reload, error, ctx) {
  const act = (/** @type {string} */ action, /** @type {Record<string, unknown>} */ extra = {}) =>
    post(`/api/messages/${m.id}/${action}`, { version: m.version, ...extra })
      .then(() => replace(error))
      .then(reload)
      .catch((e) => replace(error, ctx.error(e)));
  const channel = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: `channel-${m.id}` },
      CHANNELS.map((c) => h('option', { value: c }, c)),
    )
  );
  /** @type {(HTMLElement | null)[]} */
  const buttons = [];
  if (m.state === 'draft') {
    buttons.push(h('button', { type: 'button', 'data-action': 'submit', onclick: () => act('submit') }, t('submit')));
  }
  if (m.state === 'in_review') {
    /** The type's checklist (after a suicide): the leader ticks each item; nothing is ticked for them. */
    const checks = (m.rules?.checklist ?? []).map((/** @type {any} */ c) => {
      const box = /** @type {HTMLInputElement} */ (
        h('input', { type: 'checkbox', id: `check-${m.id}-${c.id}`, value: c.id })
      );
      return { box, el: h('label', { class: 'check', for: box.id }, box, loc(c.text)) };
    });
    buttons.push(
      checks.length
        ? h(
            'div',
            null,
            checks.map((c) => c.el),
          )
        : null,
      h(
        'button',
        {
          type: 'button',
          'data-action': 'approve',
          onclick: () =>
            act(
              'approve',
              checks.length ? { checklist: checks.filter((c) => c.box.checked).map((c) => c.box.value) } : {},
            ),
        },
        t('approve'),
      ),
    );
  }
  if (m.state === 'awaiting_family') {
    buttons.push(
      h(
        'button',
        { type: 'button', class: 'secondary', 'data-action': 'family-approval', onclick: () => act('family-approval') },
        t('familyApprove'),
      ),
    );
  }
  if (m.state === 'approved' && m.releaseKind !== 'none') {
    buttons.push(
      m.releaseKind === 'export' ? h('div', null, h('label', { for: `channel-${m.id}` }, t('channel')), channel) : null,
      h(
        'button',
        {
          type: 'button',
          'data-action': 'release',
          onclick: () => act('release', m.releaseKind === 'export' ? { channel: channel.value } : {}),
        },
        t('release'),
      ),
    );
  }
  return h(
    'article',
    { class: 'card', 'data-message': m.id, 'data-state': m.state },
    h('h3', null, loc(m.audienceName) || m.audience),
    h('p', null, h('span', { class: 'chip' }, loc(m.stateLabel) || m.state), ' ', t('version', { n: m.version })),
    m.title ? h('p', null, h('strong', null, m.title)) : null,
    h('details', null, h('summary', null, '…'), h('pre', { class: 'body' }, m.body ?? '')),
    m.approval ? h('p', { class: 'muted' }, `✓ ${t('approve')}: ${time(m.approval.at)}`) : null,
    m.release ? h('p', { class: 'muted' }, `✓ ${t('release')}: ${time(m.release.at)}`) : null,
    (m.blockedBy ?? []).map((/** @type {any} */ b) =>
      h('p', { class: 'muted' }, lang === 'nl' ? b.messageNl : b.message),
    ),
    h('div', { class: 'row' }, buttons),
  );
}
