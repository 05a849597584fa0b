import { describe, expect, it } from 'vitest';
import { newSpanId, newTraceId } from '../../host/trace/ids.ts';

describe('ids', () => {
  it('never repeats a span id over two million spans', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000_000; i++) seen.add(newSpanId());
    expect(seen.size).toBe(2_000_000);
  });

  it('makes valid W3C ids: lower-case hex, right length, never all zero', () => {
    for (let i = 0; i < 1000; i++) {
      expect(newSpanId()).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
      expect(newTraceId()).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    }
  });
});
