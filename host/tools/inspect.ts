/**
 * What a module says about itself, for Observe: which Observe functions it imports, whether it is
 * instrumented, how many functions it has and how many of them its `name` section names. Reads
 * the binary directly, so it also works on modules this Node cannot compile.
 */
import { API_MODULE, INSTRUMENT_MODULE, INSTRUMENT_VERSION_GLOBALS, LEGACY_MODULE, importSpec, type ImportKind } from '../abi/spec.ts';
import { Reader } from '../abi/binary-reader.ts';
import * as wasm from './wasm-binary.ts';
import { INSTRUMENT_SECTION, type InstrumentRecord } from './instrument-record.ts';

const OBSERVE_NAMESPACES = [API_MODULE, INSTRUMENT_MODULE, LEGACY_MODULE] as const;

export interface ObserveImport {
  readonly module: string;
  readonly name: string;
  /** What the ABI table says it means; undefined for a name the ABI does not define. */
  readonly kind: ImportKind | undefined;
}

export interface Inspection {
  /** Imports from the Observe namespaces, in import order. */
  readonly observeImports: readonly ObserveImport[];
  /** Imports `enter`/`exit` (current or legacy names): function spans will be reported. */
  readonly instrumented: boolean;
  /** What `wasm-observe instrument` recorded it did (functions, imports, small leaves left out). */
  readonly instrumentedBy: InstrumentRecord | undefined;
  /** From `wasm_instr_version_major/minor`, when both are exported as constant i32 globals. */
  readonly instrumentVersion: { readonly major: number; readonly minor: number } | undefined;
  readonly functions: { readonly imported: number; readonly defined: number };
  /** How many functions (imported and defined) the `name` section names. */
  readonly namedFunctions: number;
  readonly hasNameSection: boolean;
  /** A WASI command exports `_start`, a reactor `_initialize`. */
  readonly wasi: 'command' | 'reactor' | 'imports-only' | undefined;
  readonly customSections: readonly string[];
}

export function inspectModule(bytes: Uint8Array): Inspection {
  const sections = wasm.sections(bytes);
  const imports = wasm.imports(sections);
  const exports = wasm.exports(sections);
  const observeImports = imports
    .filter((i) => (OBSERVE_NAMESPACES as readonly string[]).includes(i.module))
    .map((i) => ({ module: i.module, name: i.name, kind: importSpec(i.module, i.name)?.kind }));
  const importedFunctions = imports.filter((i) => i.kind === 'func').length;
  const defined = wasm.definedFunctionCount(sections);
  const names = wasm.functionNames(sections);
  const total = importedFunctions + defined;
  const exportNames = new Set(exports.filter((e) => e.kind === 'func').map((e) => e.name));
  const usesWasi = imports.some((i) => i.module.startsWith('wasi_'));
  return {
    observeImports,
    instrumented: observeImports.some((i) => i.kind === 'function-enter' || i.kind === 'function-exit'),
    instrumentedBy: instrumentRecord(sections),
    instrumentVersion: instrumentVersion(sections, exports, imports),
    functions: { imported: importedFunctions, defined },
    namedFunctions: [...names.keys()].filter((i) => i < total).length,
    hasNameSection: sections.some((s) => s.name === 'name'),
    wasi: exportNames.has('_start') ? 'command' : exportNames.has('_initialize') ? 'reactor' : usesWasi ? 'imports-only' : undefined,
    customSections: sections.filter((s) => s.name !== undefined).map((s) => s.name!),
  };
}

function instrumentRecord(sections: readonly wasm.Section[]): InstrumentRecord | undefined {
  const section = sections.find((s) => s.name === INSTRUMENT_SECTION);
  if (!section) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(section.payload)) as InstrumentRecord;
  } catch {
    return undefined;
  }
}

function instrumentVersion(
  sections: readonly wasm.Section[],
  exports: readonly wasm.Export[],
  imports: readonly wasm.Import[],
): Inspection['instrumentVersion'] {
  const [majorName, minorName] = INSTRUMENT_VERSION_GLOBALS;
  const major = exports.find((e) => e.kind === 'global' && e.name === majorName);
  const minor = exports.find((e) => e.kind === 'global' && e.name === minorName);
  if (!major || !minor) return undefined;
  const values = constantGlobals(sections, imports.filter((i) => i.kind === 'global').length);
  const a = values.get(major.index);
  const b = values.get(minor.index);
  return a === undefined || b === undefined ? undefined : { major: a, minor: b };
}

/** Global index → value, for defined globals initialised by a lone `i32.const`. */
function constantGlobals(sections: readonly wasm.Section[], importedGlobals: number): Map<number, number> {
  const out = new Map<number, number>();
  const section = sections.find((s) => s.id === wasm.SECTION.global);
  if (!section) return out;
  const r = new Reader(section.payload);
  try {
    const count = r.u32();
    for (let i = 0; i < count; i++) {
      const type = wasm.skipValType(r);
      r.byte(); // mutability
      const ops = initExpression(r);
      const only = ops.length === 1 ? ops[0] : undefined;
      if (type === 0x7f && only?.opcode === 0x41) out.set(importedGlobals + i, only.value!);
    }
  } catch {
    // A damaged section, or an init expression this reader does not know: keep what was read.
  }
  return out;
}

/** The instructions of a constant expression, up to its `end`; values kept for `i32.const`. */
function initExpression(r: Reader): { opcode: number; value?: number }[] {
  const ops: { opcode: number; value?: number }[] = [];
  for (;;) {
    const opcode = r.byte();
    switch (opcode) {
      case 0x0b:
        return ops;
      case 0x41:
        ops.push({ opcode, value: signedLeb32(r) });
        continue;
      case 0x42: // i64.const
      case 0xd0: // ref.null heaptype
        r.skipLeb();
        break;
      case 0x23: // global.get
      case 0xd2: // ref.func
        r.u32();
        break;
      case 0x43:
        r.take(4);
        break;
      case 0x44:
        r.take(8);
        break;
      case 0x6a: case 0x6b: case 0x6c: case 0x7c: case 0x7d: case 0x7e: // extended-const arithmetic
        break;
      case 0xfd: // v128.const
        r.u32();
        r.take(16);
        break;
      default:
        throw new Error(`init expression opcode 0x${opcode.toString(16)}`);
    }
    ops.push({ opcode });
  }
}

function signedLeb32(r: Reader): number {
  let result = 0;
  let shift = 0;
  let b: number;
  do {
    b = r.byte();
    result |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return shift < 32 && b & 0x40 ? result | (~0 << shift) : result;
}
