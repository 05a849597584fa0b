/**
 * The trace builder's rules, fed events directly: two kinds of span in one tree, each closed only
 * by its own exit; tags, logs and metrics on the right span; the duration filter on top.
 */
import { describe, expect, it } from 'vitest';
import { SpanStatusCode } from '@opentelemetry/api';
import { build, enter, exit, fenter, fexit, log, subtree, tags, tree, type Step } from './harness.ts';
import { mulberry32 } from '../helpers/random.ts';

/** `f1` calls a helper `f2` that opens manual span `run`, then `f3` inside it, then helper `f4` that closes it. */
const HELPER_WRAPPED: Step[] = [
  fenter(1),
  fenter(2), enter('run'), fexit(2),
  fenter(3), log('working'), fexit(3),
  fenter(4), exit, fexit(4),
  fexit(1),
];

describe('a manual span opened and closed by helper functions', () => {
  it('outlives the helper and hangs under the helper’s caller', () => {
    const built = build(HELPER_WRAPPED);
    expect(tree(built)).toBe('f1(f2,run(f3("working")),f4)');
    expect(built.summary.anomalies).toEqual({});
    expect(built.spans.every((s) => s.attributes['wasm_observe.unclosed'] === undefined)).toBe(true);
  });

  it('keeps its children and logs under the default filter, where the helpers are dropped', () => {
    expect(tree(build(HELPER_WRAPPED, { minSpanDurationMicros: 20 }))).toBe('run("working")');
    // f1 lasts long enough to be kept: run stays its child.
    const slowF1 = build(HELPER_WRAPPED, { minSpanDurationMicros: 20, stepMicros: 5 });
    expect(tree(slowF1)).toBe('f1(run("working"))');
  });

  it('takes its tags even while a helper function is the innermost span', () => {
    const built = build([fenter(1), enter('run'), fenter(2), tags('k:v'), log('in f2'), fexit(2), exit, fexit(1)]);
    const run = built.spans.find((s) => s.name === 'run')!;
    const f2 = built.spans.find((s) => s.name === 'f2')!;
    expect(run.attributes).toEqual({ k: 'v' });
    expect(f2.attributes).toEqual({ 'code.function.index': 2 });
    expect(tree(built)).toBe('f1(run(f2("in f2")))');
  });

  it('nests helpers two deep, and span-exit from another function than span-enter', () => {
    // f5 → f6 → span-enter; later f7 → f8 → span-exit.
    const built = build([
      fenter(1),
      fenter(5), fenter(6), enter('outer'), fexit(6), fexit(5),
      fenter(5), fenter(6), enter('inner'), fexit(6), fexit(5),
      log('deep'),
      fenter(7), fenter(8), exit, fexit(8), fexit(7),
      fenter(7), fenter(8), exit, fexit(8), fexit(7),
      fexit(1),
    ]);
    expect(tree(built)).toBe('f1(f5(f6),outer(f5(f6),inner("deep"),f7(f8)),f7(f8))');
    expect(built.summary.anomalies).toEqual({});
  });

  it('survives recursion and early returns that close nested function spans', () => {
    // f9 recurses three deep, opening a manual span at the bottom; the span closes after the recursion unwinds.
    const built = build([fenter(9), fenter(9), fenter(9), enter('leaf'), fexit(9), fexit(9), fexit(9), log('after'), exit]);
    expect(tree(built)).toBe('f9(f9(f9)),leaf("after")');
  });

  it('closes function spans a return skipped as unclosed, but never a manual span', () => {
    const built = build([fenter(1), fenter(2), enter('m'), fenter(3), fexit(1), log('still in m'), exit]);
    // f3 was opened inside m, so it stays m's child; f2 opened m, and m outlives it.
    expect(tree(built)).toBe('f1(f2),m(f3,"still in m")');
    const unclosed = built.spans.filter((s) => s.attributes['wasm_observe.unclosed'] === true).map((s) => s.name);
    expect(unclosed.sort()).toEqual(['f2', 'f3']);
    expect(built.summary.anomalies).toEqual({ 'span-left-open': 2 });
  });
});

describe('anomalies and errors', () => {
  it('counts an exit with nothing of its kind open, and tags with no span open', () => {
    const built = build([tags('early:1'), exit, fexit(4), fenter(1), exit, fexit(1)]);
    expect(built.summary.anomalies).toEqual({ 'tags-without-span': 1, 'span-exit-without-span': 2, 'function-exit-mismatch': 1 });
    expect(built.summary.attributes).toEqual({ early: '1' });
    expect(built.spans.map((s) => s.name)).toEqual(['f1']);
  });

  it('puts tags on the innermost function span when no manual span is open, as before', () => {
    const built = build([fenter(1), tags('k:v'), fexit(1)]);
    expect(built.spans[0]!.attributes).toEqual({ k: 'v', 'code.function.index': 1 });
    expect(built.summary.anomalies).toEqual({});
  });

  it('ends every open span of both kinds as an error on a trap, each exported once', () => {
    const built = build([fenter(1), enter('m'), fenter(2), log('before')], { error: new Error('unreachable') });
    expect(tree(built)).toBe('f1(m(f2("before")))');
    expect(built.spans).toHaveLength(3);
    for (const s of built.spans) expect(s.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('does not move a dropped span’s unclosed marker or dropped counts to its parent', () => {
    const built = build([enter('parent'), fenter(1), exit], { minSpanDurationMicros: 20 });
    const parent = built.spans.find((s) => s.name === 'parent')!;
    expect(parent.attributes).toEqual({});
    expect(built.summary.anomalies).toEqual({ 'span-left-open': 1 });
  });

  it('fails a span the guest tags error.type (or error:true): status ERROR, kept however short', () => {
    const built = build([fenter(1), tags('error.type:timeout'), fexit(1), enter('dd'), tags('error:true,error.message:boom'), exit], {
      minSpanDurationMicros: 20,
    });
    const f1 = built.spans.find((s) => s.name === 'f1')!;
    expect(f1.status).toEqual({ code: SpanStatusCode.ERROR, message: 'timeout' });
    expect(built.spans.find((s) => s.name === 'dd')!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
  });
});

/** A random well-nested program of calls and returns, with manual spans opened and closed anywhere. */
function program(rand: () => number, length: number): Step[] {
  const steps: Step[] = [];
  const calls: number[] = [];
  let manual = 0;
  let logs = 0;
  for (let i = 0; i < length; i++) {
    const r = rand();
    if (r < 0.25) {
      const f = 1 + Math.floor(rand() * 5);
      calls.push(f);
      steps.push(fenter(f));
    } else if (r < 0.45 && calls.length > 0) steps.push(fexit(calls.pop()!));
    else if (r < 0.6) {
      manual++;
      steps.push(enter(`m${manual}`));
    } else if (r < 0.75) steps.push(exit);
    else steps.push(log(`l${++logs}`));
  }
  while (calls.length > 0) steps.push(fexit(calls.pop()!));
  return steps;
}

describe('random interleavings of the two kinds', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    for (const minSpanDurationMicros of [0, 20]) {
      it(`seed ${seed}, filter ${minSpanDurationMicros} µs: each manual span holds exactly what was issued inside it and not carried out by a span that outlived it`, () => {
        const rand = mulberry32(seed);
        const steps = program(rand, 400);
        const stepMicros = steps.map(() => Math.floor(rand() * 12));
        const built = build(steps, { minSpanDurationMicros, stepMicros: (i) => stepMicros[i]! });

        // Reference model. A log belongs to the span innermost when it was issued. That span
        // belongs to manual span M when it is M, or when it and every span between it and M (by
        // who was innermost when each opened) closed before M: a span that outlives M moves
        // to M's parent, with everything under it.
        type Model = { name: string; manual: boolean; up: Model | undefined; closed: number };
        const spans: Model[] = [];
        const open: Model[] = [];
        const logs: { message: string; span: Model | undefined }[] = [];
        let clock = 0;
        const close = (i: number) => (open.splice(i, 1)[0]!.closed = clock++);
        for (const step of steps) {
          if (step.type === 'span-enter' || step.type === 'function-enter') {
            const manual = step.type === 'span-enter';
            const span = { name: manual ? step.name : `f${step.index}`, manual, up: open[open.length - 1], closed: Infinity };
            spans.push(span);
            open.push(span);
          } else if (step.type === 'span-exit' || step.type === 'function-exit') {
            let i = open.length - 1;
            while (i >= 0 && (step.type === 'span-exit' ? !open[i]!.manual : open[i]!.name !== `f${step.index}`)) i--;
            if (i >= 0) close(i);
          } else if (step.type === 'log') {
            logs.push({ message: step.message, span: open[open.length - 1] });
          }
        }
        while (open.length > 0) close(open.length - 1); // the trace's end closes the rest, innermost first
        const issuedIn = new Map<string, string[]>();
        for (const m of spans.filter((s) => s.manual)) {
          const inside = (s: Model | undefined): boolean => s === m || (s !== undefined && s.closed < m.closed && inside(s.up));
          issuedIn.set(m.name, logs.filter((l) => inside(l.span)).map((l) => l.message));
        }

        const logsUnder = (ids: Set<string>) =>
          built.logs
            .filter((l) => l.spanContext && ids.has(l.spanContext.spanId))
            .map((l) => String(l.body))
            .filter((b) => !b.startsWith('wasm-observe'))
            .sort();
        const manualSpans = built.spans.filter((s) => /^m\d+$/.test(s.name));
        expect(manualSpans.map((s) => s.name).sort()).toEqual([...issuedIn.keys()].sort());
        for (const m of manualSpans) {
          expect(logsUnder(subtree(built, m)), m.name).toEqual([...issuedIn.get(m.name)!].sort());
        }
        // Nothing exported twice or lost.
        expect(new Set(built.spans.map((s) => s.spanContext().spanId)).size).toBe(built.spans.length);
        expect(built.logs.filter((l) => !String(l.body).startsWith('wasm-observe'))).toHaveLength(
          steps.filter((s) => s.type === 'log').length,
        );
        expect(built.summary.anomalies['function-exit-mismatch']).toBeUndefined();
      });
    }
  }
});
