/**
 * What the apps depend on to keep their promise "nothing acknowledged is lost" (RELIABILITY.md §0, §1, §2),
 * checked at boot. Every app logs what it found; in production mode an unsafe setting stops it.
 */

/** The minimum JetStream replicas in production: a stream on one server loses what that server loses. */
export const PRODUCTION_MIN_REPLICAS = 3;
/** The duplicate window must outlast the outbox relay's retries, or a republished event is a new event. */
export const MIN_DUPLICATE_WINDOW_MS = 2 * 60_000;

export interface StreamFacts {
  name: string;
  storage: string;
  replicas: number;
  duplicateWindowMs: number;
}

export interface RedisFacts {
  /** `noeviction`, or null when the server does not say (a managed Redis may refuse CONFIG). */
  maxmemoryPolicy: string | null;
  appendonly: string | null;
}

export interface DurabilityFinding {
  /** What was checked, e.g. `stream CRISIS replicas`. */
  what: string;
  found: string;
  wanted: string;
  /** `unsafe`: refuses production; `unknown`: could not be read, logged only. */
  severity: 'unsafe' | 'unknown';
}

export function streamFindings(stream: StreamFacts, production: boolean): DurabilityFinding[] {
  const findings: DurabilityFinding[] = [];
  if (stream.storage !== 'file') {
    findings.push({ what: `stream ${stream.name} storage`, found: stream.storage, wanted: 'file', severity: 'unsafe' });
  }
  if (stream.duplicateWindowMs < MIN_DUPLICATE_WINDOW_MS) {
    findings.push({
      what: `stream ${stream.name} duplicate window`,
      found: `${stream.duplicateWindowMs / 1000} s`,
      wanted: `≥ ${MIN_DUPLICATE_WINDOW_MS / 1000} s`,
      severity: 'unsafe',
    });
  }
  if (production && stream.replicas < PRODUCTION_MIN_REPLICAS) {
    findings.push({
      what: `stream ${stream.name} replicas`,
      found: String(stream.replicas),
      wanted: `≥ ${PRODUCTION_MIN_REPLICAS} (NATS_STREAM_REPLICAS on a cluster)`,
      severity: 'unsafe',
    });
  }
  return findings;
}

export function redisFindings(redis: RedisFacts, production: boolean): DurabilityFinding[] {
  const findings: DurabilityFinding[] = [];
  if (redis.maxmemoryPolicy === null) {
    findings.push({ what: 'Redis maxmemory-policy', found: 'not readable', wanted: 'noeviction', severity: 'unknown' });
  } else if (redis.maxmemoryPolicy !== 'noeviction') {
    // Eviction drops queued jobs and timers silently: unsafe in any mode, refused in production.
    findings.push({
      what: 'Redis maxmemory-policy',
      found: redis.maxmemoryPolicy,
      wanted: 'noeviction',
      severity: 'unsafe',
    });
  }
  if (production) {
    if (redis.appendonly === null) {
      findings.push({ what: 'Redis appendonly', found: 'not readable', wanted: 'yes', severity: 'unknown' });
    } else if (redis.appendonly !== 'yes') {
      findings.push({ what: 'Redis appendonly', found: redis.appendonly, wanted: 'yes (AOF)', severity: 'unsafe' });
    }
  }
  return findings;
}

/** One line per finding, for the log and for the refusal. */
export function describeFindings(findings: readonly DurabilityFinding[]): string[] {
  return findings.map(
    (f) => `${f.what}: ${f.found}, want ${f.wanted}${f.severity === 'unknown' ? ' (could not check)' : ''}`,
  );
}

/** Whether production must refuse to start. */
export function refusesProduction(findings: readonly DurabilityFinding[], production: boolean): boolean {
  return production && findings.some((f) => f.severity === 'unsafe');
}
