#!/usr/bin/env node
import type { Command } from './command.ts';
import { UsageError } from './command.ts';
import { silenceWasiWarning } from './warnings.ts';

/** Subcommands, each in its own file; loaded on demand so `run` does not pay for binaryen. */
const COMMANDS: Record<string, () => Promise<{ default: Command }>> = {
  run: () => import('./run.ts'),
  'javy-link': () => import('./javy-link.ts'),
  instrument: () => import('./instrument.ts'),
  inspect: () => import('./inspect.ts'),
};

function help(): string {
  return [
    'usage: wasm-observe <command> [options]',
    '',
    'commands:',
    ...Object.keys(COMMANDS).map((name) => `  ${name}`),
    '',
    "Run 'wasm-observe <command> --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  silenceWasiWarning();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(help() + '\n');
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`wasm-observe: unknown command '${name}'\n${help()}\n`);
    return 2;
  }
  const command = (await load()).default;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.summary}\n\n${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`wasm-observe ${name}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    throw err;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('host/cli/main.ts')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`wasm-observe: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
