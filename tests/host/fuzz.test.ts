/**
 * Fuzzing the host as a hostile guest would call it: random sequences of every import in every
 * namespace, through a real Wasm module (so arguments are coerced as Wasm does), with wild
 * pointers, lengths past the end and over 4 GiB, invalid UTF-8, strings over the cap, a scratch
 * buffer rewritten between calls, memory growth mid-run, unbalanced and crossing exits, unknown
 * levels and formats, tag keys named like prototype members, and traps. Each run is checked
 * against a small reference model that says which spans (with parents, attributes and status),
 * logs, metrics and anomaly counts the guest's calls mean. Seeds are fixed: a failure names its
 * seed and the call sequence.
 */
import { describe, expect, it } from 'vitest';
import { Observer } from '../../host/observer.ts';
import { IMPORTS, type ImportSpec } from '../../host/abi/spec.ts';
import { watToWasm } from '../../host/node/load.ts';
import type { AnomalyKind } from '../../host/events.ts';
import { capture, type Capture } from '../helpers/capture.ts';
import { mulberry32 } from '../helpers/random.ts';

const CAP = 48;
const PAGE = 65536;
const MAX_PAGES = 4;
/** Where the fuzzer writes the strings it passes. */
const SLOTS = 8;
const SLOT_BYTES = 128;

/** One forwarding export per import: the fuzzer calls these, Wasm coerces, the host receives. */
const MODULE = `(module
  ${IMPORTS.map((s, i) => `(import "${s.module}" "${s.name}" (func $i${i} ${params(s)}))`).join('\n  ')}
  (memory (export "memory") 1 ${MAX_PAGES})
  ${IMPORTS.map((s, i) => `(func (export "k${i}") ${params(s)} ${s.params.map((_, j) => `(local.get ${j})`).join(' ')} (call $i${i}))`).join('\n  ')})`;

function params(s: ImportSpec): string {
  return s.params.length ? `(param ${s.params.join(' ')})` : '';
}

const NAMES = ['a', 'request', 'é-span', 'x'.repeat(60), '日本語の名前'];
const TAGS = ['a:1', 'b:2,c:3', 'a:4', ' spaced : v ', ':empty', 'novalue', 'x:y:z', ',,', 'constructor:c', '__proto__:p', 'toString:t', 'length:5', 'a:1,a:2'];
const LOGS = ['hello', 'ünïcødé', '', 'y'.repeat(70), 'line\nbreak'];
const METRICS = ['hits:1|c', 'lat:2.5|ms|#route:a', 'g:-3|g', 'multi:1:2|d', 'set:u1|s', 'ok:aaaaa', 'nope', 'rate:4|c|@0.5', 'tagged:1|c|#constructor:x,__proto__:y'];
const LEVELS = [1, 2, 3, 4, 5, 0, 9, -1];
const FORMATS = [1, 1, 1, 1, 0, 2, -1];
const INDICES = [1000, 1001, 1002, -1, 0x7fffffff];
const LEVEL_TEXT: Record<number, [string, number]> = { 1: ['ERROR', 17], 2: ['WARN', 13], 3: ['INFO', 9], 4: ['DEBUG', 5], 5: ['TRACE', 1] };

/** Every anomaly the inputs are built to provoke: all but 'no-memory' and 'host-error', which no call can cause. */
const PROVOKED: AnomalyKind[] = [
  'out-of-bounds',
  'pointer-over-4gib',
  'length-over-cap',
  'invalid-utf8',
  'span-exit-without-span',
  'function-exit-mismatch',
  'span-left-open',
  'tags-without-span',
  'unknown-log-level',
  'unknown-metric-format',
  'metric-unparsed',
  'memory-grow-negative',
  'guest-trap',
];

type Problem = 'out-of-bounds' | 'pointer-over-4gib' | 'length-over-cap' | 'invalid-utf8';

interface ModelFrame {
  name: string;
  /** The open frame it hangs under: set when it opens, moved up when that one closes first. */
  parent?: ModelFrame;
  fn: number; // -1 for manual spans and the invocation
  tags: Map<string, string[]>;
  pages: number;
  unclosed: boolean;
  id: number;
}

interface Expected {
  spans: [path: string, attributes: [string, unknown][], status: string][];
  logs: [owner: string, severity: string, body: string][];
  metrics: [owner: string, name: string, type: string, value: string][];
  anomalies: Record<string, number>;
}

/** The reference model: what each call means, written from the ABI and the README's rules. */
class Model {
  readonly out: Expected = { spans: [], logs: [], metrics: [], anomalies: {} };
  private readonly root: ModelFrame = { name: '', fn: -1, tags: new Map(), pages: 0, unclosed: false, id: 0 };
  private stack: ModelFrame[] = [this.root];
  private nextId = 1;
  /** Owners of logs, metrics and spans, resolved to paths once every frame is closed. */
  private readonly logOwners: ModelFrame[] = [];
  private readonly metricOwners: ModelFrame[] = [];
  private readonly closed: ModelFrame[] = [];

  private path(frame: ModelFrame | undefined): string {
    return frame === undefined || frame === this.root ? '' : `${this.path(frame.parent)}/${frame.name}`;
  }

  anomaly(kind: string): void {
    this.out.anomalies[kind] = (this.out.anomalies[kind] ?? 0) + 1;
  }

  /** The guest string at (ptr, len) as the host must read it, or undefined with the problem counted. */
  read(memory: WebAssembly.Memory, ptr: number | bigint, len: number): string | undefined {
    const bytes = new Uint8Array(memory.buffer);
    let start: number;
    if (typeof ptr === 'bigint') {
      if (ptr < 0n || ptr > 0xffffffffn) return void this.anomaly('pointer-over-4gib');
      start = Number(ptr);
    } else start = ptr >>> 0;
    let length = len >>> 0;
    if (start + length > bytes.length) return void this.anomaly('out-of-bounds');
    let problem: Problem | undefined;
    if (length > CAP) {
      problem = 'length-over-cap';
      length = CAP;
      while (length > CAP - 4 && length > 0 && (bytes[start + length]! & 0xc0) === 0x80) length--;
    }
    const slice = bytes.slice(start, start + length);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(slice);
    } catch {
      text = new TextDecoder().decode(slice);
      problem ??= 'invalid-utf8';
    }
    if (problem) this.anomaly(problem);
    return text;
  }

  private top(): ModelFrame {
    return this.stack[this.stack.length - 1]!;
  }

  /** The innermost open manual span's index in the stack, or 0 (the invocation) when none is open. */
  private innermostManual(): number {
    let i = this.stack.length - 1;
    while (i > 0 && this.stack[i]!.fn >= 0) i--;
    return i;
  }

  private addLog(severity: string, body: string): void {
    this.logOwners.push(this.top());
    this.out.logs.push(['', severity, body]);
  }

  enter(name: string, fn: number): void {
    this.stack.push({ name, fn, tags: new Map(), pages: 0, unclosed: false, id: this.nextId++, parent: this.top() });
  }

  /**
   * Closes the frame at `index` of the stack; it is exported now. Manual and function spans close
   * only by their own exit, so frames above it may stay open: those it held move to its parent.
   */
  private close(index: number, status: string): void {
    const [frame] = this.stack.splice(index, 1);
    const attributes: [string, unknown][] = [...frame!.tags].map(([k, v]) => [k, v.length === 1 ? v[0] : v]);
    if (frame!.unclosed) attributes.push(['wasm_observe.unclosed', true]);
    if (frame!.fn >= 0) attributes.push(['code.function.index', frame!.fn]);
    if (frame!.pages > 0) attributes.push(['allocation', frame!.pages], ['allocation.bytes', frame!.pages * PAGE]);
    for (const above of this.stack.slice(index)) if (above.parent === frame) above.parent = frame!.parent;
    this.closed.push(frame!);
    this.out.spans.push(['', attributes.sort(([a], [b]) => (a < b ? -1 : 1)), status]);
  }

  spanExit(): void {
    const i = this.innermostManual();
    if (i === 0) return this.anomaly('span-exit-without-span');
    this.close(i, 'OK');
  }

  functionExit(index: number): void {
    let i = this.stack.length - 1;
    while (i > 0 && this.stack[i]!.fn !== index) i--;
    if (i === 0) return this.anomaly('function-exit-mismatch');
    // Function spans opened after it were left by a return not seen; manual spans stay open.
    for (let j = this.stack.length - 1; j > i; j--) {
      if (this.stack[j]!.fn < 0) continue;
      this.anomaly('span-left-open');
      this.stack[j]!.unclosed = true;
      this.close(j, 'OK');
    }
    this.close(i, 'OK');
  }

  tags(text: string): void {
    if (this.stack.length === 1) this.anomaly('tags-without-span');
    // The innermost manual span, or the innermost span when no manual span is open.
    const manual = this.innermostManual();
    const frame = manual > 0 ? this.stack[manual]! : this.top();
    for (const part of text.split(',')) {
      const t = part.trim();
      if (t === '') continue;
      const colon = t.indexOf(':');
      const key = (colon < 0 ? t : t.slice(0, colon).trim()) || 'tag';
      const value = colon < 0 ? '' : t.slice(colon + 1).trim();
      const values = frame.tags.get(key);
      if (values === undefined) frame.tags.set(key, [value]);
      else if (values.length < 128) values.push(value);
    }
  }

  log(level: number, body: string): void {
    const known = LEVEL_TEXT[level];
    if (!known) this.anomaly('unknown-log-level');
    this.addLog(known ? known[0] : `LEVEL ${level}`, body);
  }

  metric(format: number, text: string): void {
    if (format !== 1) {
      this.anomaly('unknown-metric-format');
      this.addLog('WARN', text);
      return;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const points = STATSD[line];
      if (points === undefined) {
        this.anomaly('metric-unparsed');
        this.addLog('WARN', line);
        continue;
      }
      for (const [name, type, value] of points) {
        this.metricOwners.push(this.top());
        this.out.metrics.push(['', name, type, value]);
      }
    }
  }

  grow(pages: number): void {
    if (pages < 0) this.anomaly('memory-grow-negative');
    else this.top().pages += pages;
  }

  finish(error: string | undefined): void {
    if (error !== undefined) this.anomaly('guest-trap');
    while (this.stack.length > 1) {
      if (error === undefined) {
        this.anomaly('span-left-open');
        this.top().unclosed = true;
      }
      this.close(this.stack.length - 1, error === undefined ? 'OK' : `ERROR ${error}`);
    }
    this.closed.forEach((frame, i) => (this.out.spans[i]![0] = this.path(frame)));
    this.logOwners.forEach((frame, i) => (this.out.logs[i]![0] = this.path(frame)));
    this.metricOwners.forEach((frame, i) => (this.out.metrics[i]![0] = this.path(frame)));
  }
}

/** What each metric template means (lines not listed do not parse). */
const STATSD: Record<string, [string, string, string][]> = {
  'hits:1|c': [['hits', 'c', '1']],
  'lat:2.5|ms|#route:a': [['lat', 'ms', '2.5']],
  'g:-3|g': [['g', 'g', '-3']],
  'multi:1:2|d': [
    ['multi', 'd', '1'],
    ['multi', 'd', '2'],
  ],
  'set:u1|s': [['set', 's', 'u1']],
  'rate:4|c|@0.5': [['rate', 'c', '4']],
  'tagged:1|c|#constructor:x,__proto__:y': [['tagged', 'c', '1']],
};

/** What the host exported, in the model's terms. */
function actual({ spans, logs, metrics }: Capture): Omit<Expected, 'anomalies'> {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const path = (spanId: string | undefined): string => {
    const span = spanId === undefined ? undefined : byId.get(spanId);
    return span === undefined ? '' : `${path(span.parentSpanContext?.spanId)}/${span.name}`;
  };
  const own = (attributes: object): [string, unknown][] =>
    Object.keys(attributes)
      .map((k): [string, unknown] => [k, (attributes as Record<string, unknown>)[k]])
      .sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    spans: spans.map((s) => [path(s.spanContext().spanId), own(s.attributes), s.status.code === 2 ? `ERROR ${s.status.message}` : 'OK']),
    logs: logs
      .filter((l) => !String(l.body).startsWith('wasm-observe: anomalies in this trace'))
      .map((l) => [path(l.spanContext?.spanId), l.severityText ?? '', String(l.body)]),
    metrics: metrics.map((m) => [path(m.spanContext?.spanId), m.point.name, m.point.type, m.point.member ?? String(m.point.value)]),
  };
}

/** A guest string argument: usually a good one, sometimes as hostile as a guest can make it. */
type Arg = { ptr: number | bigint; len: number; note: string };

async function fuzz(seed: number, calls: number, compiled: WebAssembly.Module): Promise<{ expected: Expected; got: Expected; log: string[] }> {
  const random = mulberry32(seed);
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const sink = capture();
  const observer = new Observer({ exporters: [sink], minSpanDurationMicros: 0, maxStringBytes: CAP, anomalyLogLimit: 0 });
  const instance = await observer.instantiate(compiled);
  const memory = instance.exports.memory as WebAssembly.Memory;
  const exports = instance.exports as Record<string, (...a: (number | bigint)[]) => void>;
  const model = new Model();
  const log: string[] = [];
  const encoder = new TextEncoder();

  /** Writes `text` (or raw bytes) into a slot, the way a guest reuses a scratch buffer. */
  const place = (content: string | Uint8Array): Arg => {
    const bytes = typeof content === 'string' ? encoder.encode(content) : content;
    const ptr = 1024 + Math.floor(random() * SLOTS) * SLOT_BYTES;
    new Uint8Array(memory.buffer).set(bytes.subarray(0, SLOT_BYTES), ptr);
    return { ptr, len: Math.min(bytes.length, SLOT_BYTES), note: JSON.stringify(typeof content === 'string' ? content : Array.from(content)) };
  };
  const stringArg = (choices: readonly string[]): Arg => {
    const r = random();
    const size = memory.buffer.byteLength;
    if (r < 0.75) return place(pick(choices));
    if (r < 0.82) return place(Uint8Array.of(0x6b, 0x3a, 0xff, 0xc3, 0x28, 0xe2, 0x82)); // invalid UTF-8
    if (r < 0.86) return { ptr: size - 3, len: 10, note: 'past the end' };
    if (r < 0.9) return { ptr: 16, len: -1, note: '4 GiB length' };
    if (r < 0.94) return { ptr: -8, len: 4, note: 'wild pointer' };
    return { ptr: size, len: 0, note: 'empty at the end' };
  };

  observer.startTrace(`fuzz ${seed}`);
  for (let n = 0; n < calls; n++) {
    if (random() < 0.02 && memory.buffer.byteLength < MAX_PAGES * PAGE) {
      memory.grow(1);
      log.push('memory.grow(1)');
      continue;
    }
    const index = Math.floor(random() * IMPORTS.length);
    const spec = IMPORTS[index]!;
    const legacy = spec.params[0] === 'i64' || spec.params[1] === 'i64';
    const hostilePtr = (arg: Arg): number | bigint => {
      if (!legacy) return arg.ptr;
      const r = random();
      if (r < 0.05) return 1n << 40n;
      if (r < 0.1) return -1n;
      return BigInt(Number(arg.ptr) >>> 0);
    };
    const fn = exports[`k${index}`]!;
    switch (spec.kind) {
      case 'span-enter': {
        const arg = stringArg(NAMES);
        const ptr = hostilePtr(arg);
        log.push(`${spec.name}(${arg.note} @${ptr})`);
        model.enter(model.read(memory, ptr, arg.len) ?? '<unreadable>', -1);
        fn(ptr, arg.len);
        break;
      }
      case 'span-exit':
        log.push(spec.name);
        model.spanExit();
        fn();
        break;
      case 'span-tags': {
        const arg = stringArg(TAGS);
        const ptr = hostilePtr(arg);
        log.push(`${spec.name}(${arg.note} @${ptr})`);
        const text = model.read(memory, ptr, arg.len);
        if (text !== undefined) model.tags(text);
        fn(ptr, arg.len);
        break;
      }
      case 'log': {
        const level = pick(LEVELS);
        const arg = stringArg(LOGS);
        const ptr = hostilePtr(arg);
        log.push(`${spec.name}(${level}, ${arg.note} @${ptr})`);
        const text = model.read(memory, ptr, arg.len);
        if (text !== undefined) model.log(level, text);
        fn(level, ptr, arg.len);
        break;
      }
      case 'metric': {
        const format = pick(FORMATS);
        // Up to three lines, within the cap: a line cut short could parse as another metric.
        let payload = pick(METRICS);
        for (let more = Math.floor(random() * 3); more > 0; more--) {
          const next = `${payload}\n${pick(METRICS)}`;
          if (next.length <= CAP) payload = next;
        }
        const arg = random() < 0.8 ? place(payload) : stringArg(METRICS);
        const ptr = hostilePtr(arg);
        log.push(`${spec.name}(${format}, ${arg.note} @${ptr})`);
        const text = model.read(memory, ptr, arg.len);
        if (text !== undefined) model.metric(format, text);
        fn(format, ptr, arg.len);
        break;
      }
      case 'function-enter': {
        const fi = pick(INDICES);
        log.push(`${spec.name}(${fi})`);
        model.enter(`func[${fi >>> 0}]`, fi >>> 0);
        fn(fi);
        break;
      }
      case 'function-exit': {
        const fi = pick(INDICES);
        log.push(`${spec.name}(${fi})`);
        model.functionExit(fi >>> 0);
        fn(fi);
        break;
      }
      case 'memory-grow': {
        const pages = pick([0, 1, 3, -2]);
        log.push(`${spec.name}(${pages})`);
        model.grow(pages);
        fn(pages);
        break;
      }
    }
  }
  const error = random() < 0.25 ? 'unreachable' : undefined;
  log.push(error === undefined ? 'return' : `trap: ${error}`);
  model.finish(error);
  observer.finishTrace(error === undefined ? undefined : new WebAssembly.RuntimeError(error));
  await observer.shutdown();
  return { expected: model.out, got: { ...actual(sink), anomalies: { ...observer.anomalies() } }, log };
}

describe('fuzzing the host with random and hostile call sequences', () => {
  it('matches the reference model for 1000 fixed seeds of 250 calls each', async () => {
    const compiled = await WebAssembly.compile((await watToWasm(MODULE)) as Uint8Array<ArrayBuffer>);
    const seen = new Set<string>();
    for (let seed = 1; seed <= 1000; seed++) {
      const { expected, got, log } = await fuzz(seed, 250, compiled);
      for (const kind of Object.keys(got.anomalies)) seen.add(kind);
      if (JSON.stringify(got) !== JSON.stringify(expected)) {
        // The seed and the calls that led there, then the difference.
        expect({ seed, calls: log, ...got }).toEqual({ seed, calls: log, ...expected });
      }
    }
    // A fuzzer that quietly lost part of its hostile input would still agree with its model.
    expect([...seen].sort()).toEqual([...PROVOKED].sort());
  });
});
