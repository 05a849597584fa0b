/**
 * Markers that describe a span itself stay on that span. When the filter drops a short function
 * span, its tags, logs and memory growth move up to the parent, but its `wasm_observe.unclosed`
 * marker says something about the dropped span only, and must not appear on a parent that was
 * closed properly.
 */
import { describe, expect, it } from 'vitest';
import { Observer } from '../../host/observer.ts';
import { ATTR } from '../../host/trace/vocabulary.ts';
import { now } from '../../host/events.ts';
import { capture } from '../helpers/capture.ts';

describe('span markers', () => {
  it('a short function span left open and dropped does not mark its properly closed parent unclosed', () => {
    const sink = capture();
    const observer = new Observer({ exporters: [sink], minSpanDurationMicros: 20 });
    observer.startTrace('markers');
    const t = now() + 1; // milliseconds, after the trace start
    observer.handle({ type: 'function-enter', time: t, index: 1 }); // parent
    observer.handle({ type: 'span-tags', time: t + 0.1, tags: 'kept:yes' });
    observer.handle({ type: 'function-enter', time: t + 0.995, index: 2 }); // child, 5 µs before…
    observer.handle({ type: 'function-exit', time: t + 1, index: 1 }); // …the parent returns past it
    observer.finishTrace();

    expect(sink.spans.map((s) => s.name)).toEqual(['func[1]']);
    const parent = sink.spans[0]!;
    expect(parent.attributes.kept).toBe('yes');
    expect(observer.anomalies()).toEqual({ 'span-left-open': 1 });
    expect(parent.attributes[ATTR.unclosed]).toBeUndefined();
  });

  it('a span left open that is kept carries the marker itself', () => {
    const sink = capture();
    const observer = new Observer({ exporters: [sink], minSpanDurationMicros: 20 });
    observer.startTrace('markers');
    const t = now() + 1;
    observer.handle({ type: 'function-enter', time: t, index: 1 });
    observer.handle({ type: 'function-enter', time: t + 0.1, index: 2 }); // 900 µs: kept
    observer.handle({ type: 'function-exit', time: t + 1, index: 1 });
    observer.finishTrace();
    const byName = Object.fromEntries(sink.spans.map((s) => [s.name, s.attributes[ATTR.unclosed]]));
    expect(byName).toEqual({ 'func[1]': undefined, 'func[2]': true });
  });
});
