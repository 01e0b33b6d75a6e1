import { MESSAGE_AUDIENCES, SOCIAL_MAP_PHONE } from '#lib/contracts';
import type { Checker } from './catalog-checker.js';
import type {
  AudienceDefinition,
  CommunicationCatalog,
  CommunicationRule,
  Localized,
  MessageTemplate,
  PartyDefinition,
  ReleaseKind,
} from './catalog.types.js';

/** The places a template may hold; anything else in double braces is a typo in the catalog. */
export const TEMPLATE_PLACES = ['what', 'where', 'when', 'who', 'actions', 'contact', 'help', 'school', 'core'];
const RELEASE_KINDS: readonly ReleaseKind[] = ['app', 'export', 'none'];

function checkTemplate(raw: unknown, path: string, c: Checker): MessageTemplate | undefined {
  const obj = c.object(raw, path, ['title', 'body']);
  const title = c.localized(obj?.title, `${path}.title`, 200);
  const body = c.localized(obj?.body, `${path}.body`, 6000);
  for (const [field, text] of [
    ['title', title],
    ['body', body],
  ] as const) {
    for (const lang of ['nl', 'en'] as const) {
      for (const match of text?.[lang].matchAll(/\{\{\s*([^}]*?)\s*\}\}/g) ?? []) {
        if (!TEMPLATE_PLACES.includes(match[1]!)) {
          c.fail(`${path}.${field}.${lang}`, `unknown place {{${match[1]}}} (one of ${TEMPLATE_PLACES.join(', ')})`);
        }
      }
    }
  }
  return title && body ? { title, body } : undefined;
}

function typeList(raw: unknown, path: string, c: Checker, types: Set<string>, allowEmpty = false): string[] {
  const list = raw === undefined && allowEmpty ? [] : c.list(raw, path);
  (list ?? []).forEach((t, i) => {
    if (typeof t !== 'string' || !types.has(t)) {
      c.fail(`${path}[${i}]`, `unknown calamity type ${JSON.stringify(t)}`);
    }
  });
  if (!allowEmpty && list?.length === 0) {
    c.fail(path, 'must name at least one calamity type');
  }
  return (list ?? []).filter((t): t is string => typeof t === 'string');
}

function checkAudience(raw: unknown, path: string, c: Checker, types: Set<string>): AudienceDefinition | undefined {
  const obj = c.object(raw, path, ['id', 'name', 'release', 'sources', 'template', 'byType']);
  const id = obj?.id;
  if (typeof id !== 'string' || !(MESSAGE_AUDIENCES as readonly string[]).includes(id)) {
    c.fail(`${path}.id`, `must be one of ${MESSAGE_AUDIENCES.join(', ')}, got ${JSON.stringify(id)}`);
  }
  if (!RELEASE_KINDS.includes(obj?.release as ReleaseKind)) {
    c.fail(`${path}.release`, `must be one of ${RELEASE_KINDS.join(', ')}`);
  }
  const name = c.localized(obj?.name, `${path}.name`, 120);
  const sources = c.sources(obj?.sources, `${path}.sources`);
  const template = checkTemplate(obj?.template, `${path}.template`, c);
  const byType: AudienceDefinition['byType'] = [];
  ((obj?.byType === undefined ? [] : c.list(obj.byType, `${path}.byType`)) ?? []).forEach((entry, i) => {
    const p = `${path}.byType[${i}]`;
    const variant = c.object(entry, p, ['calamityTypes', 'title', 'body']);
    const calamityTypes = typeList(variant?.calamityTypes, `${p}.calamityTypes`, c, types);
    const t = checkTemplate(variant ? { title: variant.title, body: variant.body } : undefined, p, c);
    if (t) {
      byType.push({ calamityTypes, template: t });
    }
  });
  return typeof id === 'string' && name && sources && template && RELEASE_KINDS.includes(obj?.release as ReleaseKind)
    ? { id, name, release: obj!.release as ReleaseKind, sources, template, byType }
    : undefined;
}

function checkRule(
  raw: unknown,
  path: string,
  c: Checker,
  types: Set<string>,
  audiences: string[],
): CommunicationRule | undefined {
  const obj = c.object(raw, path, ['calamityTypes', 'familyApproval', 'checklist', 'clearance', 'guidance', 'sources']);
  if (!obj) {
    return undefined;
  }
  const calamityTypes = typeList(obj.calamityTypes, `${path}.calamityTypes`, c, types);
  const familyApproval = (
    obj.familyApproval === undefined ? [] : (c.list(obj.familyApproval, `${path}.familyApproval`) ?? [])
  )
    .map((a, i) => {
      if (typeof a !== 'string' || !audiences.includes(a)) {
        c.fail(`${path}.familyApproval[${i}]`, `unknown audience ${JSON.stringify(a)}`);
      }
      return a;
    })
    .filter((a): a is string => typeof a === 'string');
  const checklist: CommunicationRule['checklist'] = [];
  ((obj.checklist === undefined ? [] : c.list(obj.checklist, `${path}.checklist`)) ?? []).forEach((entry, i) => {
    const item = c.object(entry, `${path}.checklist[${i}]`, ['id', 'text']);
    const id = c.id(item?.id, `${path}.checklist[${i}].id`);
    const text = c.localized(item?.text, `${path}.checklist[${i}].text`, 300);
    if (id && text) {
      checklist.push({ id, text });
    }
  });
  if (obj.clearance !== undefined && typeof obj.clearance !== 'boolean') {
    c.fail(`${path}.clearance`, 'must be true or false');
  }
  const guidance = ((obj.guidance === undefined ? [] : c.list(obj.guidance, `${path}.guidance`)) ?? [])
    .map((g, i) => c.localized(g, `${path}.guidance[${i}]`, 1000))
    .filter((g): g is Localized => g !== undefined);
  const sources = c.sources(obj.sources, `${path}.sources`);
  return sources
    ? { calamityTypes, familyApproval, checklist, clearance: obj.clearance === true, guidance, sources }
    : undefined;
}

function checkParty(raw: unknown, path: string, c: Checker, types: Set<string>): PartyDefinition | undefined {
  const obj = c.object(raw, path, ['id', 'name', 'whenToCall', 'sources', 'calamityTypes', 'national', 'perIncident']);
  const id = c.id(obj?.id, `${path}.id`);
  const name = c.localized(obj?.name, `${path}.name`, 160);
  const whenToCall = c.localized(obj?.whenToCall, `${path}.whenToCall`, 1000);
  const sources = c.sources(obj?.sources, `${path}.sources`);
  const calamityTypes = typeList(obj?.calamityTypes, `${path}.calamityTypes`, c, types, true);
  const national: PartyDefinition['national'] = [];
  ((obj?.national === undefined ? [] : c.list(obj.national, `${path}.national`)) ?? []).forEach((entry, i) => {
    const p = `${path}.national[${i}]`;
    const n = c.object(entry, p, ['name', 'phone', 'note']);
    const nName = c.text(n?.name, `${p}.name`, 160);
    const phone =
      typeof n?.phone === 'string' && SOCIAL_MAP_PHONE.test(n.phone)
        ? n.phone
        : c.fail(`${p}.phone`, 'not a phone number');
    const note = n?.note === undefined ? undefined : c.text(n.note, `${p}.note`, 300);
    if (nName && phone) {
      national.push({ name: nName, phone, ...(note ? { note } : {}) });
    }
  });
  if (obj?.perIncident !== undefined && typeof obj.perIncident !== 'boolean') {
    c.fail(`${path}.perIncident`, 'must be true or false');
  }
  return id && name && whenToCall && sources
    ? { id, name, whenToCall, sources, calamityTypes, national, perIncident: obj?.perIncident === true }
    : undefined;
}

/** Reads `communication.yaml` (already parsed); problems go to the checker, named by path. */
export function loadCommunicationCatalog(raw: unknown, c: Checker, types: Set<string>): CommunicationCatalog {
  const root = c.object(raw, '(root)', ['audiences', 'rules', 'parties', 'pressInstruction']);
  const audiences: AudienceDefinition[] = [];
  (c.list(root?.audiences, 'audiences') ?? []).forEach((entry, i) => {
    const audience = checkAudience(entry, `audiences[${i}]`, c, types);
    if (audience && audiences.some((a) => a.id === audience.id)) {
      c.fail(`audiences[${i}].id`, `duplicate audience "${audience.id}"`);
    } else if (audience) {
      audiences.push(audience);
    }
  });
  for (const id of MESSAGE_AUDIENCES) {
    if (root && !audiences.some((a) => a.id === id)) {
      c.fail('audiences', `audience "${id}" has no template`);
    }
  }
  const rules = ((root?.rules === undefined ? [] : c.list(root.rules, 'rules')) ?? [])
    .map((r, i) =>
      checkRule(
        r,
        `rules[${i}]`,
        c,
        types,
        audiences.map((a) => a.id),
      ),
    )
    .filter((r): r is CommunicationRule => r !== undefined);
  const parties: PartyDefinition[] = [];
  (c.list(root?.parties, 'parties') ?? []).forEach((entry, i) => {
    const party = checkParty(entry, `parties[${i}]`, c, types);
    if (party && parties.some((p) => p.id === party.id)) {
      c.fail(`parties[${i}].id`, `duplicate party "${party.id}"`);
    } else if (party) {
      parties.push(party);
    }
  });
  const pressInstruction = c.localized(root?.pressInstruction, 'pressInstruction', 1000) ?? { nl: '', en: '' };
  return { audiences, rules, parties, pressInstruction };
}
