import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import webpush from 'web-push';

/** Reads KEY=value lines of a .env file (no expansion); missing file → nothing. */
export function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) {
    return {};
  }
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const match = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) {
      out[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2');
    }
  }
  return out;
}

/**
 * VAPID keys for a local run when none are configured: made once and kept in `.ck-local/` (git-ignored),
 * so browsers' subscriptions stay valid across restarts. Production sets VAPID_* itself.
 */
export function localVapidKeys(root: string): { publicKey: string; privateKey: string } {
  const dir = join(root, '.ck-local');
  const file = join(dir, 'vapid.json');
  if (existsSync(file)) {
    return JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string; privateKey: string };
  }
  const keys = webpush.generateVAPIDKeys();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}
