/**
 * What a sink throws never reaches the guest as a trap: it is counted as a `host-error` and the
 * call returns. The one exception is `Interrupted`, a sink's way to stop the guest (the CLI's
 * answer to a signal), which the imports let through.
 */
import { describe, expect, it } from 'vitest';
import { createImports } from '../../host/abi/imports.ts';
import { GuestMemory } from '../../host/abi/memory.ts';
import { API_MODULE } from '../../host/abi/spec.ts';
import { Interrupted, type EventSink, type GuestEvent } from '../../host/events.ts';

/** A sink that records every event and throws `failure` from `spanExit`. */
function failingSink(failure: Error) {
  const events: GuestEvent[] = [];
  const record: EventSink = {
    spanEnter: (time, name) => void events.push({ type: 'span-enter', time, name }),
    spanExit: () => {
      throw failure;
    },
    spanTags: (time, tags) => void events.push({ type: 'span-tags', time, tags }),
    log: (time, level, message) => void events.push({ type: 'log', time, level, message }),
    metric: (time, format, text) => void events.push({ type: 'metric', time, format, text }),
    functionEnter: (time, index) => void events.push({ type: 'function-enter', time, index }),
    functionExit: (time, index) => void events.push({ type: 'function-exit', time, index }),
    memoryGrow: (time, pages) => void events.push({ type: 'memory-grow', time, pages }),
    anomaly: (time, kind, detail) => void events.push({ type: 'anomaly', time, kind, detail }),
  };
  return { events, sink: record };
}

function spanExit(sink: EventSink): () => void {
  const memory = new GuestMemory(1024);
  memory.bind(new WebAssembly.Memory({ initial: 1 }));
  return createImports(memory, sink).imports[API_MODULE]!['span-exit'] as () => void;
}

describe('imports and a sink that throws', () => {
  it('count a host bug as host-error and return to the guest', () => {
    const { events, sink } = failingSink(new TypeError('a bug'));
    expect(() => spanExit(sink)()).not.toThrow();
    expect(events).toEqual([{ type: 'anomaly', time: expect.any(Number), kind: 'host-error', detail: 'TypeError: a bug' }]);
  });

  it('let Interrupted through to stop the guest, counting nothing', () => {
    const { events, sink } = failingSink(new Interrupted());
    expect(() => spanExit(sink)()).toThrow(Interrupted);
    expect(events).toEqual([]);
  });
});
