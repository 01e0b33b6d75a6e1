import { plainToInstance } from 'class-transformer';
import * as validator from 'class-validator';
import type { ValidationArguments } from 'class-validator';

/**
 * The constraints a quick check may call: class-validator's own, which look only at the value and their
 * constraints. A schema with any other constraint (a custom one may read the whole instance) is not checked
 * quickly; class-validator checks it.
 */
const PLAIN_CONSTRAINTS = new Set<string>([
  validator.ARRAY_MAX_SIZE,
  validator.ARRAY_MIN_SIZE,
  validator.IS_ARRAY,
  validator.IS_BOOLEAN,
  validator.IS_DEFINED,
  validator.IS_IN,
  validator.IS_INT,
  validator.IS_ISO8601,
  validator.IS_LENGTH,
  validator.IS_OBJECT,
  validator.IS_STRING,
  validator.IS_UUID,
  validator.MATCHES,
  validator.MAX,
  validator.MAX_LENGTH,
  validator.MIN,
  validator.MIN_LENGTH,
]);

type Check = (value: Record<string, unknown>) => boolean;

interface PropertyCheck {
  property: string;
  /** `@IsOptional()` and the like: when one says no, the property is not validated at all. */
  conditions: ((object: object, value: unknown) => boolean)[];
  constraints: {
    validate: (value: unknown, args: ValidationArguments) => unknown;
    constraints: unknown[];
    each: boolean;
    validateIf?: (object: object, value: unknown) => boolean;
  }[];
  /** `@ValidateNested()` with `@Type(() => Class)`: the nested object's own check. */
  nested: Check | null;
}

/** Each schema's check, by the class itself (two classes may share a name) and the schema name it is nested in. */
const compiled = new WeakMap<new () => object, Map<string, Check | null>>();

/**
 * True when `validateSync(plainToInstance(schema, value))` would find nothing wrong: the same constraint
 * functions the schema's class-validator decorators registered are called on the same values, under the same
 * conditions (`@IsOptional()`, `each`, nested objects), without making an instance, a validation executor or
 * error objects. False means invalid *or not sure* (a constraint it does not know, a nested array): ask
 * class-validator, which also says what is wrong.
 *
 * Every app validates every event it consumes; class-validator's machinery around the checks cost about 30 ms
 * of CPU a trigger across the apps, 15–20% of the timeline's (BENCHMARKS.md, 2026-12-06 morning). The check is
 * compiled once per schema, from class-validator's metadata, so the decorators stay the one description of a
 * schema.
 */
export function passesQuickly(schema: new () => object, value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const check = compiledFor(schema, undefined);
  return check !== null && check(value as Record<string, unknown>);
}

function compiledFor(schema: new () => object, targetSchema: string | undefined): Check | null {
  let bySchemaName = compiled.get(schema);
  if (!bySchemaName) {
    bySchemaName = new Map();
    compiled.set(schema, bySchemaName);
  }
  const key = targetSchema ?? '';
  if (!bySchemaName.has(key)) {
    bySchemaName.set(key, null); // a schema nested in itself is not checked quickly
    bySchemaName.set(key, compile(schema, targetSchema));
  }
  return bySchemaName.get(key)!;
}

function compile(schema: new () => object, targetSchema: string | undefined): Check | null {
  const storage = validator.getMetadataStorage();
  // As class-validator's executor asks for them (no groups, `always` off).
  const metadatas = storage.getTargetValidationMetadatas(schema, targetSchema as string, false, false);
  if (metadatas.length === 0) {
    return null; // class-validator refuses an object it knows nothing about
  }
  const properties: PropertyCheck[] = [];
  for (const [property, own] of Object.entries(storage.groupByPropertyName(metadatas))) {
    const check: PropertyCheck = { property, conditions: [], constraints: [], nested: null };
    for (const metadata of own) {
      switch (metadata.type) {
        case validator.ValidationTypes.WHITELIST:
          break;
        case validator.ValidationTypes.CONDITIONAL_VALIDATION:
          check.conditions.push(metadata.constraints[0] as (object: object, value: unknown) => boolean);
          break;
        case validator.ValidationTypes.IS_DEFINED:
        case validator.ValidationTypes.CUSTOM_VALIDATION: {
          for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
            if (constraint.async || !PLAIN_CONSTRAINTS.has(constraint.name)) {
              return null;
            }
            const instance = constraint.instance as PropertyCheck['constraints'][number];
            check.constraints.push({
              validate: instance.validate.bind(instance),
              constraints: metadata.constraints,
              each: metadata.each,
              ...(metadata.validateIf ? { validateIf: metadata.validateIf } : {}),
            });
          }
          break;
        }
        case validator.ValidationTypes.NESTED_VALIDATION: {
          // The class class-transformer makes of a nested object (its `@Type`), found by asking it once.
          const made = (plainToInstance(schema, { [property]: {} }) as Record<string, unknown>)[property];
          const nestedClass = made !== null && typeof made === 'object' ? made.constructor : Object;
          if (nestedClass === Object) {
            return null;
          }
          const target = metadata.target;
          check.nested = compiledFor(
            nestedClass as new () => object,
            typeof target === 'string' ? target : target.name,
          );
          if (check.nested === null) {
            return null;
          }
          break;
        }
        default:
          return null; // promise validation, or a kind this check does not know
      }
    }
    properties.push(check);
  }
  const targetName = schema.name;
  return (object) => properties.every((p) => passes(p, object, targetName));
}

function passes(check: PropertyCheck, object: Record<string, unknown>, targetName: string): boolean {
  const value = object[check.property];
  if (!check.conditions.every((condition) => condition(object, value))) {
    return true; // not validated, as class-validator skips it
  }
  for (const constraint of check.constraints) {
    if (constraint.validateIf && !constraint.validateIf(object, value)) {
      continue;
    }
    const args: ValidationArguments = {
      targetName,
      property: check.property,
      object,
      value,
      constraints: constraint.constraints,
    };
    const ok =
      constraint.each && Array.isArray(value)
        ? value.every((item) => constraint.validate(item, args) === true)
        : constraint.validate(value, args) === true;
    if (!ok) {
      return false;
    }
  }
  if (check.nested && value !== undefined) {
    // class-validator validates a nested object against its class; an array or anything else: not sure.
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return false;
    }
    return check.nested(value as Record<string, unknown>);
  }
  return true;
}
