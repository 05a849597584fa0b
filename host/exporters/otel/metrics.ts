/**
 * Guest statsd points as OpenTelemetry metrics, aggregated by the official SDK (cumulative, as
 * OpenTelemetry backends expect):
 *
 * | statsd            | OpenTelemetry instrument                               |
 * |-------------------|--------------------------------------------------------|
 * | `c` (÷ @rate)     | UpDownCounter (statsd counters may be decremented)     |
 * | `g`, `g` ±delta   | Gauge (a delta moves the last value, as statsd does)    |
 * | `ms`, `h`, `d`    | Histogram (`ms` with unit `ms`)                         |
 * | `s`               | Gauge of distinct members seen since the last export   |
 *
 * `#tags` become data-point attributes by the tag rule. A negative `ms`, `h` or `d` value cannot
 * be recorded (OpenTelemetry histograms refuse them) and is counted as dropped.
 */
import type { Attributes, Gauge, Histogram, Meter, MeterProvider as ApiMeterProvider, UpDownCounter } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { addTag, attributeMap } from '../../trace/tags.ts';
import type { GuestMetric } from '../../trace/model.ts';
import { Tally } from '../delivery.ts';

/** Collects on demand: exporters decide when (trace end, shutdown, an interval). */
class OnDemandReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

interface MeterEntry {
  /** Undefined when recording into an embedding program's provider: its readers collect. */
  reader: OnDemandReader | undefined;
  meter: Meter;
  /** One instrument per (statsd kind, name). */
  instruments: Map<string, UpDownCounter | Gauge | Histogram>;
}

const SCOPE = 'wasm-observe';

/** Upper bound on distinct series kept for gauge deltas and sets. */
const MAX_SERIES = 10_000;
/**
 * Upper bound on distinct metric names. (The SDK caps series per instrument itself, at 2000.) A
 * guest inventing names without end would otherwise grow the host without end.
 */
const MAX_INSTRUMENTS = 1000;

export class OtelMetrics {
  /** By guest resource; one entry, under undefined, for an embedding program's provider. */
  private readonly providers = new Map<Resource | undefined, MeterEntry>();
  private readonly gauges = new Map<string, number>();
  /** Members of each set series seen since the last export. */
  private readonly sets = new Map<string, Set<string>>();
  private pending = false;

  /**
   * Points refused are dropped in `tally`: {@link MAX_INSTRUMENTS} names were already in use, or a
   * histogram value was negative (OpenTelemetry histograms take none; statsd forwarders send it).
   * With `meterProvider` (an embedding program's own), points are recorded into it under its
   * resource and its readers export them; `collect` then returns nothing.
   */
  constructor(
    private readonly tally = new Tally(),
    private readonly meterProvider?: ApiMeterProvider,
  ) {}

  record({ point, resource }: GuestMetric): void {
    const { meter, instruments } = this.meterFor(resource);
    // Timers, histograms and distributions share one histogram per name.
    const kind = point.type === 'ms' || point.type === 'd' ? 'h' : point.type;
    const key = `${kind}\u0000${point.name}`;
    let instrument = instruments.get(key);
    if (instrument === undefined && instruments.size >= MAX_INSTRUMENTS) {
      this.tally.drop(1, `more than ${MAX_INSTRUMENTS} metric names`);
      return;
    }
    if (point.value < 0 && kind === 'h') {
      this.tally.drop(1, `negative value for histogram '${point.name}' (OpenTelemetry histograms take none)`);
      return;
    }
    if (instrument === undefined) {
      if (kind === 'c') instrument = meter.createUpDownCounter(point.name);
      else if (kind === 'h') instrument = meter.createHistogram(point.name, point.type === 'ms' ? { unit: 'ms' } : {});
      else instrument = meter.createGauge(point.name);
      instruments.set(key, instrument);
    }
    const attributes = attributeMap<unknown>();
    for (const tag of point.tags) addTag(attributes, tag);
    const attrs = attributes as Attributes;
    const series = `${point.type}\u0000${point.name}\u0000${JSON.stringify(attrs)}`;
    this.pending = true;
    switch (kind) {
      case 'c':
        (instrument as UpDownCounter).add(point.value / point.sampleRate, attrs);
        return;
      case 'g': {
        const value = point.delta ? (this.gauges.get(series) ?? 0) + point.value : point.value;
        if (this.gauges.size < MAX_SERIES || this.gauges.has(series)) this.gauges.set(series, value);
        (instrument as Gauge).record(value, attrs);
        return;
      }
      case 's': {
        let members = this.sets.get(series);
        if (members === undefined && this.sets.size < MAX_SERIES) this.sets.set(series, (members = new Set()));
        members?.add(point.member ?? '');
        (instrument as Gauge).record(members?.size ?? 1, attrs);
        return;
      }
      default: {
        // A sampled timer stands for 1/rate observations.
        const times = point.sampleRate < 1 ? Math.min(Math.round(1 / point.sampleRate), 1000) : 1;
        for (let i = 0; i < times; i++) (instrument as Histogram).record(point.value, attrs);
      }
    }
  }

  /** Everything recorded so far, one ResourceMetrics per resource; empty if nothing was. */
  async collect(): Promise<ResourceMetrics[]> {
    if (!this.pending) return [];
    this.pending = false;
    const out: ResourceMetrics[] = [];
    for (const { reader } of this.providers.values()) {
      if (reader === undefined) continue;
      const { resourceMetrics } = await reader.collect();
      if (resourceMetrics.scopeMetrics.some((s) => s.metrics.length > 0)) out.push(resourceMetrics);
    }
    for (const members of this.sets.values()) members.clear();
    return out;
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.providers.values()].map(({ reader }) => reader?.shutdown()));
  }

  private meterFor(resource: Resource): MeterEntry {
    const key = this.meterProvider ? undefined : resource;
    let entry = this.providers.get(key);
    if (entry === undefined) {
      const reader = this.meterProvider ? undefined : new OnDemandReader();
      const provider = this.meterProvider ?? new MeterProvider({ resource, readers: [reader!] });
      this.providers.set(key, (entry = { reader, meter: provider.getMeter(SCOPE), instruments: new Map() }));
    }
    return entry;
  }
}
