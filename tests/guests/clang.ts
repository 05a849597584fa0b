/** Whether the C guests' tests skip: clang and wasi-libc missing, outside CI (CI installs them and must run these). */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const hasClang = spawnSync('clang', ['--version']).status === 0 && existsSync('/usr/lib/wasm32-wasi');
export const needsClang = !hasClang && !process.env.CI;
