/**
 * Guest text becomes object keys in many places: span attributes, metric attributes, Datadog
 * meta, Zipkin tags, statsd lines. Every `Object.prototype` and `Array.prototype` member name,
 * and `__proto__`, must arrive as an ordinary key with exactly the guest's values, in every
 * destination, and no guest input may reach any object's prototype.
 */
import { decode } from '@msgpack/msgpack';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatadogExporter } from '../../host/exporters/datadog.ts';
import { ZipkinExporter } from '../../host/exporters/zipkin.ts';
import { StatsdExporter } from '../../host/exporters/statsd.ts';
import { OtlpJsonlExporter } from '../../host/exporters/otlp-jsonl.ts';
import { parseTags, addTag, attributeMap } from '../../host/trace/tags.ts';
import { watToWasm } from '../../host/node/load.ts';
import { API_IMPORTS, Guest } from '../helpers/wat.ts';
import { capture } from '../helpers/capture.ts';
import { parseOtlpJsonl, scratch, value } from '../helpers/otlp.ts';
import { Backend, runGuest, udpListener, type UdpListener } from '../adapters/loopback.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), ...Object.getOwnPropertyNames(Array.prototype), '__proto__'])];
// First call: every name once; second call: names given again, so values become arrays.
const FIRST = NAMES.map((n) => `${n}:v-${n}`).join(',');
const SECOND = '__proto__:again,length:5,constructor:abc';
/** What every destination must carry: each name with its own values, nothing more. */
const EXPECTED: Record<string, string | string[]> = Object.fromEntries(
  NAMES.map((n) => [n, n === '__proto__' ? ['v-__proto__', 'again'] : n === 'length' ? ['v-length', '5'] : n === 'constructor' ? ['v-constructor', 'abc'] : `v-${n}`]),
);
const METRIC = `hits:1|c|#${FIRST}`;

async function guest(): Promise<Uint8Array> {
  const g = new Guest();
  const body = `(call $enter ${g.str('work')})
    (call $tags ${g.str(FIRST)})
    (call $tags ${g.str(SECOND)})
    (call $metric (i32.const 1) ${g.str(METRIC)})
    (call $exit)`;
  return watToWasm(g.module(API_IMPORTS, body));
}

/** Own string-keyed properties and their values, to compare prototypes before and after. */
function snapshot(target: object): [string, unknown][] {
  return Object.getOwnPropertyNames(target).map((k) => [k, Object.getOwnPropertyDescriptor(target, k)!.value]);
}

/** Own keys of an attribute map, with values read only from own properties. */
function own(map: object): Record<string, unknown> {
  const out: Record<string, unknown> = attributeMap();
  for (const key of Object.keys(map)) Object.defineProperty(out, key, { value: (map as Record<string, unknown>)[key], enumerable: true });
  return out;
}

let backend: Backend;
let udp: UdpListener;
beforeEach(async () => {
  backend = await new Backend().start();
  udp = await udpListener();
});
afterEach(async () => {
  await udp.close();
  await backend.stop();
});

describe('tag keys named like prototype members', () => {
  it('the tag rule keeps each as an own key, in a plain or a null-prototype map', () => {
    for (const map of [{} as Record<string, unknown>, attributeMap<unknown>()]) {
      for (const tag of [...parseTags(FIRST), ...parseTags(SECOND)]) expect(addTag(map, tag)).toBe(true);
      expect(Object.keys(map).sort()).toEqual(Object.keys(EXPECTED).sort());
      expect(own(map)).toEqual(own(EXPECTED));
      expect([null, Object.prototype]).toContain(Object.getPrototypeOf(map));
    }
  });

  it('arrive exactly in span attributes, metric attributes, Datadog meta, Zipkin tags and statsd lines', async () => {
    const before = [snapshot(Object.prototype), snapshot(Array.prototype)];
    const { dir, remove } = scratch();
    try {
      const path = join(dir, 'out.jsonl');
      const sink = capture();
      const exporters = [
        sink,
        new OtlpJsonlExporter({ path }),
        new DatadogExporter({
          env: { DD_TRACE_AGENT_URL: backend.url },
          statsd: { url: udp.url, traceTags: false },
          logs: { path: join(dir, 'dd-logs.jsonl') },
        }),
        new ZipkinExporter({ url: `${backend.url}/api/v2/spans` }),
        new StatsdExporter({ url: udp.url, dialect: 'dogstatsd', traceTags: false }, 'statsd'),
      ];
      const { observer } = await runGuest(exporters, { wasm: await guest(), invoke: 'run' });
      await observer.shutdown();

      // In memory: own keys only, ordinary prototypes.
      const span = sink.spans.find((s) => s.name === 'work')!;
      expect([null, Object.prototype]).toContain(Object.getPrototypeOf(span.attributes));
      expect(own(span.attributes)).toEqual(own(EXPECTED));
      const point = sink.metrics[0]!.point;
      expect(point.tags.map(([k]) => k)).toEqual(NAMES);

      // OTLP JSON: the key/value lists as serialized.
      const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const otlpSpan = lines.flatMap((l) => l.resourceSpans ?? []).flatMap((r) => r.scopeSpans).flatMap((s) => s.spans).find((s) => s.name === 'work');
      const kv = (list: { key: string; value: unknown }[]) => {
        const out = attributeMap<unknown>();
        for (const { key, value: v } of list) {
          expect(Object.hasOwn(out, key)).toBe(false);
          Object.defineProperty(out, key, { value: value(v), enumerable: true });
        }
        return out;
      };
      expect(kv(otlpSpan.attributes)).toEqual(own(EXPECTED));
      const exported = parseOtlpJsonl(readFileSync(path, 'utf8'));
      expect(exported.metrics.map((m) => [m.name, m.value])).toEqual([['hits', 1]]);
      const otlpPoint = lines.flatMap((l) => l.resourceMetrics ?? []).flatMap((r) => r.scopeMetrics).flatMap((s) => s.metrics)[0].sum.dataPoints[0];
      expect(kv(otlpPoint.attributes)).toEqual(own(Object.fromEntries(NAMES.map((n) => [n, `v-${n}`]))));

      // Datadog: meta as the agent decodes it.
      // The msgpack decoder refuses a `__proto__` key (a safe choice for a decoder), so the bytes
      // are checked for it and then renamed to a same-length key before decoding.
      const bodies = backend.on('/v0.4/traces').map((r) => Buffer.from(r.body));
      const protoKey = Buffer.from('\xa9__proto__', 'latin1');
      expect(bodies.some((b) => b.includes(Buffer.concat([protoKey, Buffer.from('\xb1v-__proto__,again', 'latin1')])))).toBe(true);
      const renamed = bodies.map((b) => {
        for (let i = b.indexOf(protoKey); i >= 0; i = b.indexOf(protoKey, i + 1)) b.write('__PROTO__', i + 1, 'latin1');
        return b;
      });
      const ddSpans = renamed.flatMap((b) => (decode(b, { useBigInt64: true }) as { name: string; meta: Record<string, string> }[][]).flat());
      const ddMeta = ddSpans.find((s) => s.name === 'work')!.meta;
      for (const [key, v] of Object.entries(EXPECTED)) {
        const k = key === '__proto__' ? '__PROTO__' : key;
        expect([key, Object.hasOwn(ddMeta, k) ? ddMeta[k] : undefined]).toEqual([key, Array.isArray(v) ? v.join(',') : v]);
      }

      // Zipkin: tags as the collector receives them (JSON text, so `__proto__` is an own key).
      const zipkin = backend.on('/api/v2/spans').flatMap((r) => JSON.parse(r.body.toString()) as { name: string; tags: Record<string, string> }[]);
      const tags = zipkin.find((s) => s.name === 'work')!.tags;
      for (const [key, v] of Object.entries(EXPECTED)) expect([key, Object.hasOwn(tags, key) ? tags[key] : undefined]).toEqual([key, String(v)]);

      // statsd and DogStatsD: the tags of the forwarded line, in the guest's order.
      const forwarded = udp.lines().filter((l) => l.startsWith('hits:'));
      expect(forwarded).toHaveLength(2);
      for (const line of forwarded) {
        const tagPart = line.split('|#')[1]!.split(',');
        expect(tagPart.slice(0, NAMES.length)).toEqual(NAMES.map((n) => `${n}:v-${n}`));
      }
    } finally {
      remove();
    }
    expect([snapshot(Object.prototype), snapshot(Array.prototype)]).toEqual(before);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});
