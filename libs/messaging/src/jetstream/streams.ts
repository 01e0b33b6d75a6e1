import {
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { StreamSettings } from './jetstream.options.js';

const STREAM_NOT_FOUND = 10059;

/**
 * Creates the stream, or brings an existing one to the settings given. Idempotent: every app calls it at boot.
 * File storage always: an event is a fact that must survive a restart.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  settings: StreamSettings,
): Promise<'created' | 'updated' | 'unchanged'> {
  const wanted: Partial<StreamConfig> = {
    subjects: settings.subjects,
    num_replicas: settings.replicas,
    duplicate_window: nanos(settings.duplicateWindowMs),
  };
  try {
    const info = await jsm.streams.info(settings.name);
    const current = info.config;
    const same =
      current.num_replicas === wanted.num_replicas &&
      current.duplicate_window === wanted.duplicate_window &&
      sameSet(current.subjects ?? [], settings.subjects);
    if (same) {
      return 'unchanged';
    }
    await jsm.streams.update(settings.name, { ...current, ...wanted });
    return 'updated';
  } catch (error) {
    if (!(error instanceof JetStreamApiError) || error.code !== STREAM_NOT_FOUND) {
      throw error;
    }
  }
  try {
    await jsm.streams.add({
      name: settings.name,
      ...wanted,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
    });
    return 'created';
  } catch (error) {
    // Another app created it between our look and our add.
    await jsm.streams.info(settings.name).catch(() => {
      throw error;
    });
    return 'unchanged';
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s) => b.includes(s));
}
