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
import type { Attributes, Counter, Gauge, Histogram, Meter, MeterProvider as ApiMeterProvider, UpDownCounter } from '@opentelemetry/api';
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

type Instrument = Counter | UpDownCounter | Gauge | Histogram;
interface MeterEntry {
  /** Undefined when recording into an embedding program's provider: its readers collect. */
  reader: OnDemandReader | undefined;
  meter: Meter;
  /** One instrument per (statsd kind, name). */
  instruments: Map<string, Instrument>;
}

const SCOPE = 'wasm-observe';

/** The one key for an external provider, whatever the guest's resource. */
const EXTERNAL = {} as Resource;

/** Upper bound on distinct series kept for gauge deltas and sets. */
const MAX_SERIES = 10_000;
/**
 * Upper bound on distinct metric names. (The SDK caps series per instrument itself, at 2000.) A
 * guest inventing names without end would otherwise grow the host without end.
 */
const MAX_INSTRUMENTS = 1000;

export class OtelMetrics {
  private readonly providers = new Map<Resource, MeterEntry>();
  private readonly gauges = new Map<string, number>();
  private readonly sets = new Map<string, { attributes: Attributes; members: Set<string>; gauge: Gauge }>();
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
    const entry = this.meterFor(resource);
    const { meter } = entry;
    if (entry.instruments.size >= MAX_INSTRUMENTS && !entry.instruments.has(instrumentKey(point.type, point.name))) {
      this.tally.drop(1, `more than ${MAX_INSTRUMENTS} metric names`);
      return;
    }
    if (point.value < 0 && (point.type === 'ms' || point.type === 'h' || point.type === 'd')) {
      this.tally.drop(1, `negative value for histogram '${point.name}' (OpenTelemetry histograms take none)`);
      return;
    }
    const attributes = attributeMap<unknown>();
    for (const tag of point.tags) addTag(attributes, tag);
    const attrs = attributes as Attributes;
    const series = `${point.type}\u0000${point.name}\u0000${JSON.stringify(attrs)}`;
    this.pending = true;
    switch (point.type) {
      case 'c':
        const counter = instrument(entry, 'c', point.name, () => meter.createUpDownCounter(point.name));
        (counter as UpDownCounter).add(point.value / point.sampleRate, attrs);
        return;
      case 'g': {
        const value = point.delta ? (this.gauges.get(series) ?? 0) + point.value : point.value;
        if (this.gauges.size < MAX_SERIES || this.gauges.has(series)) this.gauges.set(series, value);
        (instrument(entry, 'g', point.name, () => meter.createGauge(point.name)) as Gauge).record(value, attrs);
        return;
      }
      case 's': {
        const gauge = instrument(entry, 's', point.name, () => meter.createGauge(point.name)) as Gauge;
        let set = this.sets.get(series);
        if (set === undefined && this.sets.size < MAX_SERIES) this.sets.set(series, (set = { attributes: attrs, members: new Set(), gauge }));
        set?.members.add(point.member ?? '');
        gauge.record(set?.members.size ?? 1, attrs);
        return;
      }
      default: {
        const histogram = instrument(entry, 'h', point.name, () =>
          meter.createHistogram(point.name, point.type === 'ms' ? { unit: 'ms' } : {}),
        ) as Histogram;
        // A sampled timer stands for 1/rate observations.
        const times = point.sampleRate < 1 ? Math.min(Math.round(1 / point.sampleRate), 1000) : 1;
        for (let i = 0; i < times; i++) histogram.record(point.value, attrs);
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
    for (const set of this.sets.values()) set.members.clear();
    return out;
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.providers.values()].map(({ reader }) => reader?.shutdown()));
  }

  private meterFor(resource: Resource): MeterEntry {
    if (this.meterProvider) resource = EXTERNAL;
    let entry = this.providers.get(resource);
    if (entry === undefined && this.meterProvider) {
      entry = { reader: undefined, meter: this.meterProvider.getMeter(SCOPE), instruments: new Map() };
      this.providers.set(resource, entry);
    } else if (entry === undefined) {
      const reader = new OnDemandReader();
      const provider = new MeterProvider({ resource, readers: [reader] });
      entry = { reader, meter: provider.getMeter(SCOPE), instruments: new Map() };
      this.providers.set(resource, entry);
    }
    return entry;
  }
}

/** Timers, histograms and distributions share one histogram per name. */
function instrumentKey(type: string, name: string): string {
  return `${type === 'ms' || type === 'd' ? 'h' : type}\u0000${name}`;
}

function instrument(entry: MeterEntry, kind: string, name: string, create: () => Instrument): Instrument {
  const key = instrumentKey(kind, name);
  let found = entry.instruments.get(key);
  if (found === undefined) entry.instruments.set(key, (found = create()));
  return found;
}
