import { inspectModule, type Inspection } from '../tools/inspect.ts';
import { loadWasm } from '../node/load.ts';
import { parseCommandLine, singleInput, type Command } from './command.ts';

const OPTIONS = { json: { type: 'boolean' } } as const;

const usage = `usage: wasm-observe inspect <module.wasm|module.wat> [--json]

Shows which Observe namespaces and functions a module imports, whether it is instrumented
(and with which wasm_instr version), its function count and how many functions its name
section names — function spans are named from it.

options:
  --json   print the report as JSON`;

const command: Command = {
  summary: 'Show what a module imports from the Observe API and how well it is named.',
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, OPTIONS);
    const input = singleInput(positionals, '<module.wasm>');
    let report: Inspection;
    try {
      report = inspectModule(await loadWasm(input));
    } catch (err) {
      process.stderr.write(`wasm-observe inspect: ${input}: ${(err as Error).message}\n`);
      return 1;
    }
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : render(input, report));
    return 0;
  },
};

export default command;

function render(path: string, r: Inspection): string {
  const total = r.functions.imported + r.functions.defined;
  const lines = [`${path}`];
  const byModule = new Map<string, string[]>();
  for (const i of r.observeImports) {
    (byModule.get(i.module) ?? byModule.set(i.module, []).get(i.module)!).push(i.kind ? i.name : `${i.name} (not in the ABI)`);
  }
  if (byModule.size === 0) lines.push('  observe imports: none');
  for (const [module, names] of byModule) lines.push(`  imports ${module}: ${names.join(', ')}`);
  const version = r.instrumentVersion ? ` (wasm_instr_version ${r.instrumentVersion.major}.${r.instrumentVersion.minor})` : '';
  lines.push(`  instrumented: ${r.instrumented ? 'yes' : 'no'}${version}`);
  const by = r.instrumentedBy;
  if (by) {
    lines.push(
      `  by wasm-observe: ${by.functions} functions, ${by.imports} imports; ${by.smallLeaves} small leaf functions left out (≤ ${by.smallLeafBound} instructions, no calls or loops)`,
    );
  }
  lines.push(`  functions: ${total} (${r.functions.imported} imported, ${r.functions.defined} defined)`);
  const percent = total === 0 ? 100 : Math.round((100 * r.namedFunctions) / total);
  lines.push(`  name section: ${r.hasNameSection ? `${r.namedFunctions} of ${total} functions named (${percent}%)` : 'none — function spans would be unnamed'}`);
  if (r.wasi) lines.push(`  wasi: ${r.wasi}`);
  if (r.customSections.length > 0) lines.push(`  custom sections: ${r.customSections.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
