import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import {
  ArrayMinSize,
  getMetadataStorage,
  IsArray,
  IsDefined,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  Validate,
  ValidationTypes,
  validateSync,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { randomUUID } from 'node:crypto';
import { EnvelopeShape, parseEvent } from './envelope.js';
import { EVENT_PAYLOAD_SCHEMAS, schemaVersionOf } from './event-map.js';
import { passesQuickly } from './quick-validation.js';
import { EventSubject } from './subjects.js';

type Schema = new () => object;
type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

/** What class-validator says, as parseEvent asked it before the quick check. */
const classValidatorPasses = (schema: Schema, value: unknown): boolean =>
  validateSync(plainToInstance<object, unknown>(schema, value)).length === 0;

const metadataOf = (schema: Schema): Record<string, ValidationMetadata[]> => {
  const storage = getMetadataStorage();
  // As class-validator's executor asks (no schema name, no groups).
  const metadatas: ValidationMetadata[] = storage.getTargetValidationMetadatas(schema, '', false, false);
  return storage.groupByPropertyName(metadatas);
};

const nestedClassOf = (schema: Schema, property: string): Schema =>
  (plainToInstance(schema, { [property]: {} }) as Record<string, object>)[property]!.constructor as Schema;

/** A value of the schema that satisfies every constraint, built from its decorators. */
function validSample(schema: Schema): Record<string, unknown> {
  const sample: Record<string, unknown> = {};
  for (const [property, metadatas] of Object.entries(metadataOf(schema))) {
    const named = new Map(metadatas.map((m) => [m.name ?? m.type, m]));
    const each = metadatas.find((m) => m.each)?.name;
    const minLength =
      (named.get('isLength')?.constraints[0] as number | undefined) ??
      (named.get('minLength')?.constraints[0] as number | undefined) ??
      1;
    if (metadatas.some((m) => m.type === ValidationTypes.NESTED_VALIDATION)) {
      sample[property] = validSample(nestedClassOf(schema, property));
    } else if (named.has('isArray')) {
      sample[property] = [each === 'isUuid' ? randomUUID() : 'x'];
    } else if (named.has('isUuid')) {
      sample[property] = randomUUID();
    } else if (named.has('isIn')) {
      sample[property] = (named.get('isIn')!.constraints[0] as unknown[])[0];
    } else if (named.has('isInt')) {
      sample[property] = (named.get('min')?.constraints[0] as number | undefined) ?? 1;
    } else if (named.has('isBoolean')) {
      sample[property] = true;
    } else if (named.has('isIso8601')) {
      sample[property] = new Date().toISOString();
    } else if (named.has('isObject')) {
      sample[property] = { a: 'b' };
    } else {
      sample[property] = named.has('matches') ? '/webhooks/xxx' : 'x'.repeat(Math.max(minLength, 1));
    }
  }
  return sample;
}

/** Values around every constraint of the property, and the usual suspects. */
function suspectsFor(metadatas: ValidationMetadata[]): unknown[] {
  const values: unknown[] = [
    undefined,
    null,
    '',
    ' ',
    'x',
    0,
    -1,
    1,
    1.5,
    Number.NaN,
    true,
    false,
    'true',
    '1',
    [],
    ['x'],
    [randomUUID()],
    [1],
    {},
    { nl: 'a', en: 'b' },
    { nl: '', en: 'b' },
    randomUUID(),
    randomUUID().toUpperCase(),
    '00000000-0000-0000-0000-000000000000',
    '0190a5b2-0000-0000-8000-000000000001',
    '0190a5b2-0000-7000-8000-00000000000g',
    new Date().toISOString(),
    '2026-12-06T04:30:00Z',
    '2026-12-06T05:30:00+01:00',
    '2026-02-30T00:00:00.000Z',
    '2026-12-06',
    'gisteren',
    '/webhooks/x',
    '/webhooks/xxxxx',
    '/webhooks/y',
    { a: 1 },
  ];
  for (const m of metadatas) {
    const [a, b] = m.constraints ?? [];
    if (m.name === 'isLength' || m.name === 'maxLength' || m.name === 'minLength') {
      for (const n of [a, b].filter((x): x is number => typeof x === 'number')) {
        values.push('x'.repeat(Math.max(0, n - 1)), 'x'.repeat(n), 'x'.repeat(n + 1));
        // Lengths in characters, not UTF-16 units: an emoji is one character of two units.
        values.push('😀'.repeat(n), '😀'.repeat(n + 1), '\uFE0Fx'.repeat(n));
      }
    }
    if ((m.name === 'min' || m.name === 'max') && typeof a === 'number') {
      values.push(a - 1, a, a + 1, a + 0.5);
    }
    if (m.name === 'isIn') {
      values.push(...(a as unknown[]), 'something else');
    }
    if ((m.name === 'arrayMaxSize' || m.name === 'arrayMinSize') && typeof a === 'number') {
      values.push(
        Array.from({ length: a }, () => randomUUID()),
        Array.from({ length: a + 1 }, () => randomUUID()),
      );
    }
  }
  return values;
}

/** Every schema once with each property replaced by each suspect (or left out). */
function* mutants(schema: Schema): Generator<Record<string, unknown>> {
  const sample = validSample(schema);
  for (const [property, metadatas] of Object.entries(metadataOf(schema))) {
    const { [property]: original, ...without } = sample;
    yield without;
    for (const value of suspectsFor(metadatas)) {
      yield { ...sample, [property]: value };
    }
    if (original !== null && typeof original === 'object' && !Array.isArray(original)) {
      for (const inner of mutants(nestedClassOf(schema, property))) {
        yield { ...sample, [property]: inner };
      }
    }
  }
}

/** The constraints the quick check knows that no event schema uses (the apps' request classes do). */
class OtherConstraints {
  @IsObject() params!: Record<string, string>;
  @IsString() @Matches(/^\/webhooks\/x+$/) @MinLength(12) path!: string;
  @IsDefined() @IsArray() @ArrayMinSize(1) @IsString({ each: true }) lines!: string[];
}

const schemas: [string, Schema][] = [
  ['the envelope', EnvelopeShape],
  ['a request with the other constraints', OtherConstraints],
  ...Object.entries(EVENT_PAYLOAD_SCHEMAS).map(([subject, schema]): [string, Schema] => [subject, schema]),
];

describe('passesQuickly', () => {
  it.each(schemas)('passes a valid %s without class-validator, as class-validator would', (_, schema) => {
    const sample = validSample(schema);
    expect(classValidatorPasses(schema, sample)).toBe(true);
    expect(passesQuickly(schema, sample)).toBe(true);
  });

  it.each(schemas)('never passes what class-validator fails, around the constraints of %s', (_, schema) => {
    const nested = Object.entries(metadataOf(schema))
      .filter(([, metadatas]) => metadatas.some((m) => m.type === ValidationTypes.NESTED_VALIDATION))
      .map(([property]) => property);
    const wronglyPassed: string[] = [];
    const unsure: string[] = [];
    let rejected = 0;
    let passed = 0;
    for (const value of mutants(schema)) {
      const expected = classValidatorPasses(schema, value);
      const quick = passesQuickly(schema, value);
      rejected += expected ? 0 : 1;
      passed += quick ? 1 : 0;
      if (quick && !expected) {
        wronglyPassed.push(JSON.stringify(value));
      }
      // Not sure where class-validator passes: only a nested object given as an array (it validates each item).
      if (!quick && expected && !nested.some((property) => Array.isArray(value[property]))) {
        unsure.push(JSON.stringify(value));
      }
    }
    expect(wronglyPassed).toEqual([]);
    expect(unsure).toEqual([]);
    expect(rejected).toBeGreaterThan(10); // the suspects do break the schema
    expect(passed).toBeGreaterThan(0);
  });

  it('is not sure of anything that is not an object', () => {
    for (const value of [null, undefined, 'x', 1, [], [validSample(EnvelopeShape)]]) {
      expect(passesQuickly(EnvelopeShape, value)).toBe(false);
    }
  });

  it('keeps two classes of the same name apart', () => {
    const withMaxLength = (max: number): Schema => {
      class Same {
        @IsString() @MaxLength(max) name!: string;
      }
      return Same;
    };
    const long = withMaxLength(10);
    const short = withMaxLength(2);
    expect(passesQuickly(long, { name: 'abcd' })).toBe(true);
    expect(passesQuickly(short, { name: 'abcd' })).toBe(false);
    expect(passesQuickly(short, { name: 'ab' })).toBe(true);
  });

  it('leaves a schema with a constraint of its own to class-validator', () => {
    @ValidatorConstraint({ name: 'readsTheWholeObject' })
    class ReadsTheWholeObject implements ValidatorConstraintInterface {
      validate(_value: unknown, args?: ValidationArguments): boolean {
        return (args?.object as { note?: string } | undefined)?.note !== 'not with this name';
      }
    }
    class Custom {
      @IsString() @Validate(ReadsTheWholeObject) name!: string;
      @IsOptional() @IsString() note?: string;
    }
    expect(classValidatorPasses(Custom, { name: 'a' })).toBe(true);
    expect(classValidatorPasses(Custom, { name: 'a', note: 'not with this name' })).toBe(false);
    expect(passesQuickly(Custom, { name: 'a' })).toBe(false);
    expect(passesQuickly(Custom, { name: 'a', note: 'not with this name' })).toBe(false);
  });
});

describe('parseEvent with the quick check', () => {
  const envelope = (subject: EventSubject, payload: unknown) => ({
    ...validSample(EnvelopeShape),
    type: subject,
    schemaVersion: schemaVersionOf(subject),
    causationId: null,
    payload,
  });

  it('accepts and refuses the same events as class-validator alone, and names the payload field it refuses', () => {
    for (const subject of Object.values(EventSubject)) {
      const schema: Schema = EVENT_PAYLOAD_SCHEMAS[subject];
      for (const payload of mutants(schema)) {
        const data = envelope(subject, payload);
        const parsed = parseEvent(subject, data);
        const expected = classValidatorPasses(EnvelopeShape, data) && classValidatorPasses(schema, payload);
        expect({ subject, payload, ok: parsed.ok }).toEqual({ subject, payload, ok: expected });
        if (!parsed.ok) {
          expect(parsed.reason).toMatch(/^payload\./);
        }
      }
    }
  });
});
