import { describe, expect, it } from 'vitest';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OtelMetrics } from '../../host/exporters/otel/metrics.ts';
import { Tally } from '../../host/exporters/delivery.ts';
import { GuestMetric } from '../../host/trace/model.ts';
import { parseStatsd } from '../../host/trace/statsd.ts';

const resource = resourceFromAttributes({ 'service.name': 'test' });
const point = (line: string) => {
  const parsed = parseStatsd(line)[0]!;
  if (!parsed.ok) throw new Error(parsed.reason);
  return new GuestMetric(parsed.points[0]!, Date.now(), resource);
};

describe('statsd → OpenTelemetry metrics', () => {
  it('keeps one histogram per name for ms, h and d, and sums counters scaled by their rate', async () => {
    const metrics = new OtelMetrics();
    for (const line of ['t:1|ms', 't:2|h', 't:3|d', 'n:1|c|@0.5', 'n:2|c']) metrics.record(point(line));
    const [rm] = await metrics.collect();
    const byName = Object.fromEntries(rm!.scopeMetrics[0]!.metrics.map((m) => [m.descriptor.name, m]));
    expect(byName.t!.dataPoints[0]!.value).toMatchObject({ count: 3, sum: 6 });
    expect(byName.n!.dataPoints[0]!.value).toBe(4);
  });

  it('refuses new names past a thousand and counts what it refused', async () => {
    const tally = new Tally();
    const metrics = new OtelMetrics(tally);
    for (let i = 0; i < 1010; i++) metrics.record(point(`name${i}:1|c`));
    metrics.record(point('name5:1|c'));
    expect(tally.dropped).toBe(10);
    const [rm] = await metrics.collect();
    expect(rm!.scopeMetrics[0]!.metrics).toHaveLength(1000);
  });
});
