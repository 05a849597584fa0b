/**
 * Bad input, counted per trace. The first `limit` of each kind are reported one by one as WARN
 * log records (ERROR for a trap); the rest are only counted, and the trace's closing record
 * carries every count, so the counts travel wherever logs go.
 */
import type { LogAttributes } from '@opentelemetry/api-logs';
import type { AnomalyKind } from '../events.ts';
import { ERROR_SEVERITY, WARN_SEVERITY, type GuestLogRecord, type RecordMaker } from './records.ts';
import { ATTR } from './vocabulary.ts';

/** Anomaly counts as people read them: `wild-pointer ×2, invalid-utf8 ×1`. */
export function countsText(counts: Readonly<Partial<Record<AnomalyKind, number>>>): string {
  return Object.entries(counts)
    .map(([kind, n]) => `${kind} ×${n}`)
    .join(', ');
}

export class Anomalies {
  private counts: Partial<Record<AnomalyKind, number>> = {};

  constructor(
    private readonly records: RecordMaker,
    private readonly limit: number,
  ) {}

  /** This trace's counts so far. */
  get all(): Readonly<Partial<Record<AnomalyKind, number>>> {
    return this.counts;
  }

  reset(): void {
    this.counts = {};
  }

  /** Counts one; returns its log record while the kind is under the limit. */
  count(time: number, kind: AnomalyKind, detail: string): GuestLogRecord | undefined {
    const n = (this.counts[kind] ?? 0) + 1;
    this.counts[kind] = n;
    if (n > this.limit) return undefined;
    const error = kind === 'guest-trap';
    const body = detail === '' ? `wasm-observe: ${kind}` : `wasm-observe: ${kind}: ${detail}`;
    return this.records.log(time, error ? ERROR_SEVERITY : WARN_SEVERITY, error ? 'ERROR' : 'WARN', body, { [ATTR.anomaly]: kind });
  }

  /** The trace's counts as one record, or undefined when there were none. */
  summary(time: number): GuestLogRecord | undefined {
    const entries = Object.entries(this.counts);
    if (entries.length === 0) return undefined;
    const body = `wasm-observe: anomalies in this trace: ${countsText(this.counts)}`;
    const attributes: LogAttributes = {};
    for (const [kind, n] of entries) attributes[`${ATTR.anomalyCount}.${kind}`] = n;
    return this.records.log(time, WARN_SEVERITY, 'WARN', body, attributes);
  }
}
