import type { CoreFacts, MessageAudience, MessageLanguage, MessageRules } from '#lib/contracts';
import type { AudienceDefinition, CommunicationCatalog, MessageTemplate } from '../catalog/catalog.types.js';

const PLACE = /\{\{\s*([a-z]+)\s*\}\}/g;

/**
 * Fills the places of a template. A place without a value stays as `{{name}}`, visible to the writer, so a
 * draft never silently says less than the template asked for.
 */
export function fillTemplate(text: string, values: Readonly<Record<string, string | undefined>>): string {
  return text.replace(PLACE, (whole, name: string) => {
    const value = values[name]?.trim();
    return value ? value : whole;
  });
}

/** The places still open in a text, each once, in order. */
export function unfilledPlaces(...texts: string[]): string[] {
  const found: string[] = [];
  for (const text of texts) {
    for (const match of text.matchAll(PLACE)) {
      if (!found.includes(match[1]!)) {
        found.push(match[1]!);
      }
    }
  }
  return found;
}

export function audienceOf(catalog: CommunicationCatalog, audience: MessageAudience): AudienceDefinition {
  const found = catalog.audiences.find((a) => a.id === audience);
  if (!found) {
    throw new Error(`the catalog has no audience ${audience}`);
  }
  return found;
}

/** The audience's template for a calamity type: its type variant when it has one. */
export function templateFor(
  catalog: CommunicationCatalog,
  audience: MessageAudience,
  calamityType: string,
): MessageTemplate {
  const definition = audienceOf(catalog, audience);
  return definition.byType.find((v) => v.calamityTypes.includes(calamityType))?.template ?? definition.template;
}

/**
 * A first draft: the template of the audience and type, in the chosen language, filled with the facts of the
 * core message, the school's name and (for a derived message) the approved core message itself.
 */
export function draftMessage(input: {
  catalog: CommunicationCatalog;
  audience: MessageAudience;
  calamityType: string;
  language: MessageLanguage;
  facts: CoreFacts;
  schoolName: string;
  core?: { body: string };
}): { title: string; body: string } {
  const template = templateFor(input.catalog, input.audience, input.calamityType);
  const values = { ...input.facts, school: input.schoolName, core: input.core?.body };
  return {
    title: fillTemplate(template.title[input.language], values),
    body: fillTemplate(template.body[input.language], values),
  };
}

/** What differs for a calamity type: every rule that names it, merged. */
export function rulesFor(
  catalog: CommunicationCatalog,
  calamityType: string,
): MessageRules & { familyApproval: MessageAudience[] } {
  const rules = catalog.rules.filter((r) => r.calamityTypes.includes(calamityType));
  return {
    checklist: rules.flatMap((r) => r.checklist),
    clearanceRequired: rules.some((r) => r.clearance),
    guidance: rules.flatMap((r) => r.guidance),
    familyApproval: [...new Set(rules.flatMap((r) => r.familyApproval))] as MessageAudience[],
  };
}

/** Why the family must agree to a message before it goes out (empty: it need not). */
export function familyApprovalReasons(
  audience: MessageAudience,
  rules: { familyApproval: MessageAudience[] },
  message: { includesPhoto: boolean; includesAddress: boolean },
): string[] {
  return [
    ...(rules.familyApproval.includes(audience) ? ['protocol'] : []),
    ...(message.includesPhoto ? ['photo'] : []),
    ...(message.includesAddress ? ['address'] : []),
  ];
}
