import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultWebDir } from './web.controller.js';

/** WCAG 2 relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const lin = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const css = readFileSync(join(defaultWebDir(), 'app.css'), 'utf8');
const variables = Object.fromEntries(
  [...css.matchAll(/--([a-z-]+):\s*(#[0-9a-fA-F]{6})\b/g)].map((m) => [m[1]!, m[2]!.toLowerCase()]),
);
const resolve = (value: string): string | null => {
  const v = /var\(--([a-z-]+)\)/.exec(value);
  const hex = v ? variables[v[1]!] : /#[0-9a-fA-F]{6}\b/.exec(value)?.[0];
  return hex ? hex.toLowerCase() : null;
};

describe('phone app colours (WCAG AA)', () => {
  it('reads the palette', () => {
    expect(Object.keys(variables).length).toBeGreaterThan(8);
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
  });

  it('gives every rule that sets both a text colour and a background at least 4.5:1', () => {
    const failing: string[] = [];
    let checked = 0;
    for (const [, selector, body] of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
      const color = /(?:^|;)\s*color:\s*([^;]+)/.exec(body!)?.[1];
      const background = /(?:^|;)\s*background(?:-color)?:\s*([^;]+)/.exec(body!)?.[1];
      const fg = color ? resolve(color) : null;
      const bg = background ? resolve(background) : null;
      checked += fg && bg ? 1 : 0;
      if (fg && bg && contrast(fg, bg) < 4.5) {
        failing.push(`${selector!.trim()}: ${fg} on ${bg} = ${contrast(fg, bg).toFixed(2)}`);
      }
    }
    expect(failing).toEqual([]);
    expect(checked).toBeGreaterThan(3);
  });

  it('keeps text, links and states readable on every surface the app uses', () => {
    const pairs: [string, string][] = [
      ['ink', 'bg'],
      ['ink', 'panel'],
      ['muted', 'bg'],
      ['muted', 'panel'],
      ['primary', 'bg'],
      ['primary', 'panel'],
      ['primary-ink', 'primary'],
      ['danger', 'bg'],
      ['ok', 'bg'],
      ['warn', 'bg'],
      ['drill-ink', 'drill'],
      ['ink', 'drill'],
    ];
    const failing = pairs
      .filter(([fg, bg]) => variables[fg] && variables[bg])
      .map(([fg, bg]) => [fg, bg, contrast(variables[fg]!, variables[bg]!)] as const)
      .filter(([, , ratio]) => ratio < 4.5)
      .map(([fg, bg, ratio]) => `--${fg} on --${bg}: ${ratio.toFixed(2)}`);
    expect(failing).toEqual([]);
  });
});
