import { appendFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** Percentile (nearest rank) of `samples`, in their unit. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) {
    return Number.NaN;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Figure {
  scenario: string;
  figure: string;
  value: number;
  unit: string;
  /** The raw baseline measured in the same run, in the same unit. */
  baseline?: { what: string; value: number };
  /** The target from the issue, in the same unit, and whether lower is better. */
  target?: { value: number; lowerIsBetter: boolean };
}

const fmt = (n: number) => (Number.isFinite(n) ? (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2)) : 'n/a');

/**
 * Prints one figure with its ratio to the baseline of the same run, and appends it to
 * `BENCH_RESULTS` (default bench-results.jsonl) for BENCHMARKS.md.
 */
export function report(f: Figure): void {
  const ratio = f.baseline
    ? ` | baseline ${f.baseline.what}: ${fmt(f.baseline.value)} ${f.unit} | ratio ${fmt(f.value / f.baseline.value)}×`
    : '';
  const target = f.target
    ? ` | target ${f.target.lowerIsBetter ? '≤' : '≥'} ${fmt(f.target.value)} ${f.unit}: ${
        (f.target.lowerIsBetter ? f.value <= f.target.value : f.value >= f.target.value) ? 'met' : 'MISSED'
      }`
    : '';
  process.stdout.write(`[bench] ${f.scenario} — ${f.figure}: ${fmt(f.value)} ${f.unit}${ratio}${target}\n`);
  const file = process.env.BENCH_RESULTS ?? join(process.cwd(), 'bench-results.jsonl');
  mkdirSync(join(file, '..'), { recursive: true });
  appendFileSync(file, `${JSON.stringify({ ...f, at: new Date().toISOString() })}\n`);
}

/** The machine, for the record. */
export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`;
}

/** Milliseconds since `start` (from process.hrtime.bigint()). */
export const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
