/**
 * The @span transform on functions, methods, static methods, namespaced and generic functions,
 * as the README names them: each call becomes one span, closed on every return path.
 */
import { describe, expect, it } from 'vitest';
import { SEVERITY_NUMBER, LogLevel } from '../../host/abi/spec.ts';
import { only, traceModule } from '../helpers/otlp.ts';
import { compile, ENV } from './asc.ts';

describe('@span transform', () => {
  it('names spans after the function, Class.method or namespace.fn, or the given name', async () => {
    const binary = await compile(['tests/assembly/guests/decorated.ts', '--runtime', 'stub', '-O']);
    const run = await traceModule(binary, (instance) => (instance.exports.run as () => number)(), { imports: ENV });
    // 5 from the loop's early return, 1 + 3 with the default, 10 through the generic.
    expect(run.result).toBe(19);
    const names = ['Handler.make', 'Handler.handle', 'firstOver', 'custom.name', 'ns.identity'];
    const spans = names.map((name) => only(run.spans, name));
    // Siblings in call order: each span closed before the next opened, early return included.
    expect(new Set(spans.map((s) => s.parentSpanId)).size).toBe(1);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start >= spans[i - 1]!.end, names[i]).toBe(true);
    expect(run.logs.find((l) => l.body === 'k=3')).toMatchObject({ severityNumber: SEVERITY_NUMBER[LogLevel.Info], spanId: spans[3]!.spanId });
    expect(run.logs.find((l) => l.body === 'h\u00e9')).toMatchObject({ severityNumber: SEVERITY_NUMBER[LogLevel.Debug], spanId: spans[1]!.spanId });
  });
});
