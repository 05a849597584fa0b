// `wasm-observe run` loads an exporter's module, and the packages behind it (OTel SDK exporters,
// gRPC, protobuf, msgpack), only when that exporter is chosen. A module-resolution hook records
// every module the CLI process resolves. (What this saves in start-up time is in `npm run bench`.)
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { scratch } from '../helpers/otlp.ts';

const tmp = scratch();
afterAll(tmp.remove);

const HOOK = join(tmp.dir, 'record-resolutions.mjs');
writeFileSync(
  HOOK,
  `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
  import { appendFileSync } from 'node:fs';
  export async function resolve(specifier, context, next) {
    const resolved = await next(specifier, context);
    appendFileSync(process.env.RESOLUTIONS, resolved.url + '\\\\n');
    return resolved;
  }\`));
`,
);

const HEAVY = [/@opentelemetry\/exporter-/, /@grpc\//, /protobufjs/, /@msgpack\//, /exporters\/(otlp|datadog|zipkin|perfetto)\.js$/];

/** Runs the CLI on examples/wat/demo.wat and returns every module URL it resolved. */
async function resolvedBy(args: string[]): Promise<string[]> {
  const log = join(tmp.dir, `${args.join('_').replace(/\W/g, '')}.log`);
  writeFileSync(log, '');
  const child = spawn(process.execPath, ['--import', pathToFileURL(HOOK).href, 'bin/wasm-observe.js', 'run', 'examples/wat/demo.wat', ...args], {
    env: { ...process.env, RESOLUTIONS: log },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const code = await new Promise((done) => child.on('exit', done));
  expect(code, stderr).toBe(0);
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

const heavy = (urls: string[]) => urls.filter((url) => HEAVY.some((pattern) => pattern.test(url)));

describe('exporters load when chosen', () => {
  it.each([['none'], ['stdout'], ['otlp-jsonl', '--out', join(tmp.dir, 'out.jsonl')], ['statsd', '--statsd-url', 'udp://127.0.0.1:9']])(
    '--exporter %s loads no OTLP, Datadog or Zipkin exporter, gRPC, protobuf or msgpack',
    async (...args) => {
      const urls = await resolvedBy(['--exporter', ...args]);
      expect(urls.some((url) => url.endsWith('/dist/host/cli/run.js'))).toBe(true);
      expect(heavy(urls)).toEqual([]);
    },
  );

  it('--exporter perfetto loads the perfetto exporter and nothing else heavy', async () => {
    const loaded = heavy(await resolvedBy(['--exporter', 'perfetto', '--out', join(tmp.dir, 'trace.json')]));
    expect(loaded.map((u) => u.split('/').pop())).toEqual(['perfetto.js']);
  });

  it('--exporter zipkin loads the Zipkin exporter, and still no gRPC or msgpack', async () => {
    const collector = createServer((req, res) => req.resume().on('end', () => res.writeHead(202).end()));
    await new Promise<void>((ready) => collector.listen(0, '127.0.0.1', ready));
    try {
      const url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/api/v2/spans`;
      const loaded = heavy(await resolvedBy(['--exporter', 'zipkin', '--zipkin-url', url]));
      expect(loaded.some((u) => u.endsWith('/exporters/zipkin.js'))).toBe(true);
      expect(loaded.some((u) => u.includes('@opentelemetry/exporter-zipkin'))).toBe(true);
      expect(loaded.filter((u) => /@grpc\/|@msgpack\/|exporters\/(otlp|datadog)\.js$/.test(u))).toEqual([]);
    } finally {
      collector.close();
    }
  });
});
