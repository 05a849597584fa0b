// The published package, tested where users install it: `npm pack`, `npm install` of the tarball
// into an empty project, then every command, both guest libraries and the host API from there.
// Nothing here imports the repository's sources, except the QuickJS and WASI stand-ins that take
// the place of the Javy CLI (which cannot be installed here).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOtlpJsonl } from '../helpers/otlp.ts';
import { runInQuickJS } from '../javy/quickjs.ts';
import { standinWasm } from '../javy/standin.ts';
import { ROOT, packAndInstall, repoVersion, sh, type Installed } from './install.ts';

let pkg: Installed;
let project: string;

beforeAll(() => {
  // assemblyscript is the guest library's peer; @types/node is what any Node TypeScript project
  // has; @assemblyscript/loader is how many AssemblyScript users load their modules.
  const extra = ['assemblyscript', '@assemblyscript/loader', '@types/node'].map((name) => `${name}@${repoVersion(name)}`);
  pkg = packAndInstall({ extra });
  project = pkg.project;
}, 180_000);
afterAll(() => pkg?.remove());

const path = (...parts: string[]) => join(project, ...parts);

/** `node_modules/.bin/<name> …` from the project, as `npx` would run it. */
function bin(name: string, args: string[]) {
  const r = spawnSync(path('node_modules', '.bin', name), args, { cwd: project, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A file of the repository's examples, with its imports of the kit written as a user writes them. */
function example(file: string, imports: Record<string, string>): string {
  let text = readFileSync(join(ROOT, 'examples', file), 'utf8');
  for (const [from, to] of Object.entries(imports)) text = text.replace(from, to);
  expect(text).not.toMatch(/\.\.\/\.\.\/(host|assembly|bindings)\//);
  return text;
}

/** `wasm-observe run … --exporter otlp-jsonl`: what the guest exported. */
function runExported(args: string[]) {
  const out = path(`trace-${Math.random().toString(36).slice(2)}.jsonl`);
  const r = bin('wasm-observe', ['run', ...args, '--exporter', 'otlp-jsonl', '--out', out]);
  expect(r.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find/);
  expect(r.code).toBe(0);
  return { ...r, ...parseOtlpJsonl(readFileSync(out, 'utf8')) };
}

describe('the packed tarball', () => {
  it('holds the compiled host, both guest libraries and the CLI, and no tests or benchmarks', () => {
    for (const file of ['dist/host/index.js', 'dist/host/index.d.ts', 'dist/host/node/index.d.ts', 'bin/wasm-observe.js', 'index.ts', 'assembly/index.ts', 'assembly/transform/index.js', 'bindings/javy/index.js']) {
      expect(pkg.packed).toContain(`package/${file}`);
    }
    expect(pkg.packed.filter((f) => /^package\/(dist\/)?(tests|bench|examples)\//.test(f))).toEqual([]);
  });

  it('imports, at run time or in its types, only packages it declares as dependencies or peers', () => {
    // Running the package cannot show this alone: npm hoists a package that is only a transitive
    // dependency, and exporters the tests do not run never load. So every import is read here.
    const root = path('node_modules', 'wasm-observe');
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}), 'wasm-observe']);
    // Statements at the start of a line (so not JSDoc examples), dynamic imports and require.resolve.
    const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire(?:\.resolve)?\(\s*['"]([^'"]+)['"]|\.resolve\(\s*['"]([^'"]+)['"]/gm;
    const undeclared: string[] = [];
    for (const file of pkg.packed.map((f) => f.replace(/^package\//, '')).filter((f) => /\.(m?js|ts)$/.test(f))) {
      for (const m of readFileSync(join(root, file), 'utf8').matchAll(IMPORT)) {
        const spec = m.slice(1).find((g) => g !== undefined)!;
        if (/^(\.|\/|node:|~lib\/)/.test(spec) || builtinModules.includes(spec.split('/')[0]!)) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        // tsx loads the CLI's guest thread from TypeScript sources: only in this repository's tests.
        if (name === 'tsx' && /cli\/guest-thread\.(ts|js)$/.test(file)) continue;
        if (!declared.has(name)) undeclared.push(`${file}: ${spec}`);
      }
    }
    expect(undeclared).toEqual([]);
    // The commands that need binaryen work from a plain install only if it is a dependency.
    expect(manifest.dependencies).toHaveProperty('binaryen');
  });
});

describe('the CLI from node_modules/.bin', () => {
  it('prints help for itself and each command', () => {
    const top = bin('wasm-observe', ['--help']);
    expect(top.code).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}(\S+)$/gm)].map((m) => m[1]!);
    expect(commands).toEqual(['run', 'javy-link', 'instrument', 'inspect']);
    for (const command of commands) {
      const r = bin('wasm-observe', [command, '--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`usage: wasm-observe ${command}`);
    }
  });

  it('runs a .wat guest (wabt) with each file exporter (otlp-jsonl, stdout, perfetto) and none', () => {
    copyFileSync(join(ROOT, 'examples/wat/demo.wat'), path('demo.wat'));
    const { spans, logs, stdout } = runExported(['demo.wat']);
    expect(stdout).toContain('hello from the guest');
    expect(spans.map((s) => s.name).sort()).toEqual(['handle-request', 'parse', 'render', 'respond']);
    expect(logs.length).toBeGreaterThan(0);

    const tree = bin('wasm-observe', ['run', 'demo.wat', '--exporter', 'stdout']);
    expect(tree.code, tree.stderr).toBe(0);
    expect(tree.stderr).toMatch(/└─ handle-request/);
    const perfetto = bin('wasm-observe', ['run', 'demo.wat', '--exporter', 'perfetto', '--out', 'trace.json']);
    expect(perfetto.code, perfetto.stderr).toBe(0);
    const events = (JSON.parse(readFileSync(path('trace.json'), 'utf8')) as { traceEvents: { ph: string; name: string }[] }).traceEvents;
    expect(events.filter((e) => e.ph === 'X').map((e) => e.name)).toEqual(expect.arrayContaining(['handle-request', 'parse', 'render', 'respond']));
    const none = bin('wasm-observe', ['run', 'demo.wat', '--exporter', 'none']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe('hello from the guest\n');
    expect(none.stderr).toBe('');
  });
});

describe('an AssemblyScript guest built in the project', () => {
  beforeAll(() => {
    mkdirSync(path('assembly'));
    writeFileSync(
      path('assembly/guest.ts'),
      `import { Span, LogLevel, log, increment } from "wasm-observe";
import { spanTag } from "wasm-observe/assembly";

@span
function double(n: i32): i32 {
  spanTag("n", n.toString());
  return n * 2;
}

export function run(): i32 {
  const request = Span.enter("request");
  log(LogLevel.Info, "doubling 21");
  const result = double(21);
  increment("requests");
  request.exit();
  return result;
}
`,
    );
  });

  it('compiles with both import forms and the transform named by package, and runs', () => {
    const asc = bin('asc', ['assembly/guest.ts', '-o', 'guest.wasm', '--debug', '--use', 'abort=', '--transform', 'wasm-observe/transform']);
    expect(asc.code, asc.stderr).toBe(0);
    const { spans, logs, metrics, stdout } = runExported(['guest.wasm', '--invoke', 'run']);
    expect(stdout).toBe('42\n');
    const request = spans.find((s) => s.name === 'request')!;
    const double = spans.find((s) => s.name === 'double')!;
    expect(double.parentSpanId).toBe(request.spanId);
    expect(double.attributes).toMatchObject({ n: '21' });
    expect(logs.map((l) => l.body)).toEqual(['doubling 21']);
    expect(metrics.map((m) => m.name)).toEqual(['requests']);
  });

  it('is inspected, instrumented (binaryen) and run instrumented', () => {
    const inspect = bin('wasm-observe', ['inspect', 'guest.wasm']);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toMatch(/imports dylibso:observe\/api: .*span-enter/);
    expect(inspect.stdout).toMatch(/instrumented: no/);

    const instrument = bin('wasm-observe', ['instrument', 'guest.wasm', '-o', 'guest.instr.wasm']);
    expect(instrument.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND/);
    expect(instrument.code, instrument.stderr).toBe(0);
    expect(bin('wasm-observe', ['inspect', 'guest.instr.wasm']).stdout).toMatch(/instrumented: yes/);
    const { spans } = runExported(['guest.instr.wasm', '--invoke', 'run', '--min-span-us', '0']);
    const names = spans.map((s) => s.name);
    expect(names).toContain('request');
    expect(names.some((n) => n.endsWith('run'))).toBe(true);
  });
});

describe('a Javy guest bundled in the project', () => {
  it('bundles wasm-observe/javy with esbuild, links with javy-link (binaryen) and runs', async () => {
    writeFileSync(path('app.js'), example('javy/app.js', { "'../../bindings/javy/index.js'": "'wasm-observe/javy'" }));
    const out = await build({ absWorkingDir: project, entryPoints: ['app.js'], bundle: true, format: 'esm', target: 'es2020', write: false, logLevel: 'silent' });
    const bundle = out.outputFiles[0]!.text;
    expect(bundle).not.toMatch(/^\s*import\s/m);

    // QuickJS and the WASI stand-in do what `javy build` and the Javy runtime would.
    const { writes } = await runInQuickJS(bundle, { stdin: readFileSync(join(ROOT, 'examples/javy/order.json')) });
    writeFileSync(path('app.wasm'), await standinWasm(writes));
    const link = bin('wasm-observe', ['javy-link', 'app.wasm', '-o', 'app.linked.wasm']);
    expect(link.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND/);
    expect(link.code, link.stderr).toBe(0);
    expect(bin('wasm-observe', ['inspect', 'app.linked.wasm']).stdout).toMatch(/imports dylibso:observe\/api/);

    const { spans, stdout } = runExported(['app.linked.wasm']);
    expect(stdout).toBe('{"id":"A-17","total":9}\n');
    expect(spans.map((s) => s.name).sort()).toEqual(['handle order', 'price', 'price', 'price']);
  });
});

describe('TypeScript host programs in the project', () => {
  beforeAll(() => {
    // The host examples, with the imports their headers tell users to write.
    const host = { "'../../host/index.ts'": "'wasm-observe'", "'../../host/node/index.ts'": "'wasm-observe/node'" };
    writeFileSync(path('embed.ts'), example('host/embed.ts', host));
    copyFileSync(join(ROOT, 'examples/host/handler.wat'), path('handler.wat'));
    writeFileSync(path('loader.ts'), example('host/loader.ts', host));
    writeFileSync(path('greeter.ts'), example('assemblyscript/greeter.ts', { '"../../assembly/index"': '"wasm-observe"' }));
    const compilerOptions = { target: 'es2022', strict: true, skipLibCheck: false, types: ['node'] };
    writeFileSync(
      path('tsconfig.node16.json'),
      JSON.stringify({ compilerOptions: { ...compilerOptions, module: 'node16', moduleResolution: 'node16' }, files: ['embed.ts', 'loader.ts'] }),
    );
    writeFileSync(
      path('tsconfig.bundler.json'),
      JSON.stringify({ compilerOptions: { ...compilerOptions, module: 'esnext', moduleResolution: 'bundler', noEmit: true }, files: ['embed.ts', 'loader.ts'] }),
    );
  });

  // typescript is this repository's own; it reads only the project's files and node_modules.
  const tsc = (config: string) => sh(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', config], { cwd: project });

  it.each(['bundler', 'node16'])('type-checks against the published .d.ts with moduleResolution %s', (resolution) => {
    expect(() => tsc(`tsconfig.${resolution}.json`)).not.toThrow();
  });

  it('runs the embedding example', () => {
    tsc('tsconfig.node16.json');
    const out = sh(process.execPath, ['embed.js', 'embed.jsonl'], { cwd: project });
    expect(out).toContain('request 1 -> ');
    const { spans } = parseOtlpJsonl(readFileSync(path('embed.jsonl'), 'utf8'));
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set(['4bf92f3577b34da6a3ce929d0e0e4736', '0af7651916cd43dd8448eb211c80319c']));
  });

  it('runs an AssemblyScript reactor through @assemblyscript/loader', () => {
    const asc = bin('asc', ['greeter.ts', '--exportRuntime', '-o', 'greeter.wasm']);
    expect(asc.code, asc.stderr).toBe(0);
    tsc('tsconfig.node16.json');
    const out = sh(process.execPath, ['loader.js', 'greeter.wasm', 'loader.jsonl'], { cwd: project });
    expect(out).toContain('Hello, Ada!\nHello, Zoë!\nHello, stranger!\n');
    const { spans, logs } = parseOtlpJsonl(readFileSync(path('loader.jsonl'), 'utf8'));
    expect(spans.map((s) => s.attributes.name)).toEqual(['Ada', 'Zoë', '']);
    expect(logs.map((l) => l.body)).toContain('greeting Zoë');
  });
});
