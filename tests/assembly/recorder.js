// The Observe host the as-pect specs run against: it copies out exactly the bytes each call
// hands over, at the moment of the call, and lets the spec read them back through
// `observe_test` imports (see host.ts).

const KIND = { 'span-enter': 1, 'span-exit': 2, 'span-tags': 3, log: 4, metric: 5 };

export function createRecorder() {
  let memory = null;
  let recording = true;
  let total = 0;
  const calls = [];

  const record = (kind, number, ptr, len) => {
    total++;
    if (!recording) return;
    const bytes = len > 0 ? new Uint8Array(memory.buffer, ptr, len).slice() : new Uint8Array(0);
    calls.push({ kind: KIND[kind], number, ptr, bytes });
  };
  const at = (i) => {
    const call = calls[i];
    if (!call) throw new RangeError(`no recorded call #${i} (have ${calls.length})`);
    return call;
  };

  return {
    bind(exportedMemory) {
      memory = exportedMemory;
    },
    imports: {
      'dylibso:observe/api': {
        'span-enter': (ptr, len) => record('span-enter', 0, ptr, len),
        'span-exit': () => record('span-exit', 0, 0, 0),
        'span-tags': (ptr, len) => record('span-tags', 0, ptr, len),
        log: (level, ptr, len) => record('log', level, ptr, len),
        metric: (format, ptr, len) => record('metric', format, ptr, len),
      },
      observe_test: {
        count: () => calls.length,
        total: () => total,
        kind: (i) => at(i).kind,
        number: (i) => at(i).number,
        pointer: (i) => at(i).ptr,
        length: (i) => at(i).bytes.length,
        byte: (i, j) => at(i).bytes[j],
        clear: () => {
          calls.length = 0;
          total = 0;
        },
        record: (on) => {
          recording = on !== 0;
        },
      },
    },
  };
}
