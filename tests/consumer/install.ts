/**
 * The package as a user gets it: `npm pack` of this repository, installed with `npm install` into
 * a fresh project in a temporary directory. Used by the consumer test and `npm run bench`.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface Installed {
  /** The consumer project; `node_modules/wasm-observe` is the installed package. */
  project: string;
  /** The tarball `npm pack` wrote. */
  tarball: string;
  /** Paths inside the tarball (`package/…`). */
  packed: string[];
  remove(): void;
}

/** Runs a program; throws with its output unless it exits 0. */
export function sh(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return String(r.stdout);
}

/**
 * The user's npm: run through npm scripts or npx, PATH starts with this repository's
 * node_modules/.bin, which holds an old npm a devDependency brings along.
 */
function npm(args: string[], cwd: string): string {
  const PATH = (process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.startsWith(join(ROOT, 'node_modules')));
  return sh('npm', args, { cwd, env: { ...process.env, PATH: PATH.join(delimiter) } });
}

/** The version of a package installed in this repository, to install the same one elsewhere. */
export function repoVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

export interface InstallOptions {
  /** More packages for the project (`name@version`). */
  extra?: string[];
  /** Install this tarball instead of packing the repository. */
  tarball?: string;
  /**
   * Build dist/ while packing (npm's `prepare`). Off for tests: `npm test` builds it first, and
   * rebuilding it here would rewrite files that tests running in parallel execute.
   */
  build?: boolean;
}

/**
 * Packs the repository and installs the tarball into an empty ES-module project. The packages
 * come from the npm cache when `npm ci` put them there.
 */
export function packAndInstall({ extra = [], tarball: packedBefore, build = false }: InstallOptions = {}): Installed {
  const work = mkdtempSync(join(tmpdir(), 'wasm-observe-consumer-'));
  const remove = () => rmSync(work, { recursive: true, force: true });
  try {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    if (packedBefore === undefined) npm(['pack', ...(build ? [] : ['--ignore-scripts']), '--silent', '--pack-destination', work], ROOT);
    const tarball = packedBefore ?? join(work, `wasm-observe-${version}.tgz`);
    const packed = sh('tar', ['-tzf', tarball]).split('\n').filter(Boolean);
    const project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...extra], project);
    return { project, tarball, packed, remove };
  } catch (err) {
    remove();
    throw err;
  }
}
