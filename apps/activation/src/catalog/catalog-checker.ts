import type { Localized } from './catalog.types.js';

export const ID = /^[a-z][a-z0-9]*(?:[.-][a-z0-9]+)*$/;
export const SOURCE = /^S[1-9][0-9]*$/;
export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects problems with their place, so one run reports them all. */
export class Checker {
  readonly problems: string[] = [];
  constructor(private readonly file: string) {}

  fail(path: string, problem: string): undefined {
    this.problems.push(`${this.file}: ${path}: ${problem}`);
    return undefined;
  }

  object(value: unknown, path: string, keys: readonly string[]): Obj | undefined {
    if (!isObj(value)) {
      return this.fail(path, 'must be a mapping');
    }
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) {
        this.fail(`${path}.${key}`.replace(/^\./, ''), `unknown field (expected one of ${keys.join(', ')})`);
      }
    }
    return value;
  }

  list(value: unknown, path: string): unknown[] | undefined {
    return Array.isArray(value) ? value : this.fail(path, 'must be a list');
  }

  text(value: unknown, path: string, max: number): string | undefined {
    if (typeof value !== 'string' || value.trim() === '') {
      return this.fail(path, 'must be a non-empty text');
    }
    return value.length > max ? this.fail(path, `is longer than ${max} characters`) : value.trim();
  }

  id(value: unknown, path: string): string | undefined {
    if (typeof value !== 'string' || !ID.test(value)) {
      return this.fail(path, `must be a lower-case id (letters, digits, dots, dashes), got ${JSON.stringify(value)}`);
    }
    return value;
  }

  localized(value: unknown, path: string, max: number): Localized | undefined {
    const obj = this.object(value, path, ['nl', 'en']);
    if (!obj) {
      return undefined;
    }
    const nl = this.text(obj.nl, `${path}.nl`, max);
    const en = this.text(obj.en, `${path}.en`, max);
    return nl && en ? { nl, en } : undefined;
  }

  sources(value: unknown, path: string): string[] | undefined {
    const list = this.list(value, path);
    if (!list) {
      return undefined;
    }
    if (list.length === 0) {
      return this.fail(path, 'must name at least one source (S-key of domain/protocol.md)');
    }
    const bad = list.findIndex((s) => typeof s !== 'string' || !SOURCE.test(s));
    return bad >= 0
      ? this.fail(`${path}[${bad}]`, `not a source key like S12: ${JSON.stringify(list[bad])}`)
      : (list as string[]);
  }
}
