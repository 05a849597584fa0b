/**
 * The ring that carries guest events from the CLI's guest thread to its main thread: every event
 * arrives exactly as written, in order, across wrap-arounds, string-table reuse, long strings
 * and every event type.
 */
import { describe, expect, it } from 'vitest';
import { createRing, RingReader, RingWriter } from '../../host/cli/event-ring.ts';
import { Interrupted } from '../../host/events.ts';
import { dispatch, type EventSink, type GuestEvent } from '../../host/events.ts';

function randomEvent(random: () => number, n: number): GuestEvent {
  const time = 1.7e12 + n / 7;
  const text = () => {
    const r = random();
    if (r < 0.5) return ['handle-request', 'a:1,b:2', 'requests:1|c', 'é日本\u0000x'][Math.floor(r * 8)]!;
    if (r < 0.8) return `distinct-${n}`; // more distinct strings than the table holds
    if (r < 0.9) return 'long '.repeat(100 + Math.floor(random() * 50)); // sent inline
    return '';
  };
  switch (Math.floor(random() * 9)) {
    case 0:
      return { type: 'span-enter', time, name: text() };
    case 1:
      return { type: 'span-exit', time };
    case 2:
      return { type: 'span-tags', time, tags: text() };
    case 3:
      return { type: 'log', time, level: Math.floor(random() * 10) - 2, message: text() };
    case 4:
      return { type: 'metric', time, format: 1, text: text() };
    case 5:
      return { type: 'function-enter', time, index: 0xffffffff };
    case 6:
      return { type: 'function-exit', time, index: Math.floor(random() * 100) };
    case 7:
      return { type: 'memory-grow', time, pages: -3 };
    default:
      return { type: 'anomaly', time, kind: 'out-of-bounds', detail: text() };
  }
}

/** A sink that turns each event back into one record, to compare with what was sent. */
function eventRecords(handle: (event: GuestEvent) => void): EventSink {
  return {
    spanEnter: (time, name) => handle({ type: 'span-enter', time, name }),
    spanExit: (time) => handle({ type: 'span-exit', time }),
    spanTags: (time, tags) => handle({ type: 'span-tags', time, tags }),
    log: (time, level, message) => handle({ type: 'log', time, level, message }),
    metric: (time, format, text) => handle({ type: 'metric', time, format, text }),
    functionEnter: (time, index) => handle({ type: 'function-enter', time, index }),
    functionExit: (time, index) => handle({ type: 'function-exit', time, index }),
    memoryGrow: (time, pages) => handle({ type: 'memory-grow', time, pages }),
    anomaly: (time, kind, detail) => handle({ type: 'anomaly', time, kind, detail }),
  };
}

describe('event ring', () => {
  it('delivers every event exactly, in order, through many wrap-arounds', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const ring = createRing(64 * 1024);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring);
    const sent: GuestEvent[] = [];
    const received: GuestEvent[] = [];
    const sink = eventRecords((e) => void received.push(e));
    for (let n = 0; n < 20_000; n++) {
      const event = randomEvent(random, n);
      sent.push(event);
      dispatch(writer, event);
      if (n % 30 === 0) reader.drain(sink);
    }
    reader.drain(sink);
    expect(received.length).toBe(sent.length);
    expect(received).toEqual(sent);
  });

  it('after a stop request the next event throws Interrupted; everything written before it is read', () => {
    const ring = createRing(1024);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring);
    const written = 10;
    for (let i = 0; i < written; i++) writer.spanExit(i);
    reader.requestStop();
    expect(writer.stopRequested).toBe(true);
    expect(() => writer.spanExit(written)).toThrow(Interrupted);
    const received: GuestEvent[] = [];
    expect(reader.drain(eventRecords((e) => void received.push(e)))).toBe(written);
    expect(received.map((e) => e.time)).toEqual(Array.from({ length: written }, (_, i) => i));
  });
});
