import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { defaultWebDir } from './web.controller.js';

const LIMIT = 150 * 1024;

/** Every module index.html loads at first: its module scripts and everything they import statically. */
function initialModules(webDir: string): string[] {
  const html = readFileSync(join(webDir, 'index.html'), 'utf8');
  const queue = [...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((m) => join(webDir, m[1]!));
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) {
      continue;
    }
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(
      /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|(?:^|\n)\s*import\s+'([^']+)'/g,
    )) {
      const spec = (m[1] ?? m[2])!;
      queue.push(spec.startsWith('/') ? join(webDir, spec) : resolve(dirname(file), spec));
    }
  }
  return [...seen];
}

describe('the phone app’s first load', () => {
  it('stays at or under 150 KB of gzipped JavaScript', () => {
    const webDir = defaultWebDir();
    const modules = initialModules(webDir);
    expect(modules.length).toBeGreaterThan(3);
    for (const file of modules) {
      expect(existsSync(file)).toBe(true);
    }
    const gzipped = modules.reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).length, 0);
    console.log(`phone app: ${modules.length} modules, ${(gzipped / 1024).toFixed(1)} KB gzipped`);
    expect(gzipped).toBeLessThanOrEqual(LIMIT);
  });

  it('has no inline scripts, inline styles or other origins (the CSP forbids them)', () => {
    const html = readFileSync(join(defaultWebDir(), 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style/);
    expect(html).not.toMatch(/\s(?:src|href)="(?:https?:)?\/\//);
    expect(html).not.toMatch(/\son[a-z]+=/);
  });
});
