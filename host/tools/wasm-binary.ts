/**
 * Just enough of the WebAssembly binary format for the tools: walk sections, read the import,
 * function and export sections, and read or rewrite the `name` section's function names. Works on
 * modules the running engine cannot compile (a GC module, say), which `WebAssembly.Module` cannot.
 */
import { Reader } from '../abi/binary-reader.ts';
import { FUNCTION_NAMES, parseNameSection } from '../abi/names.ts';

const utf8Encoder = new TextEncoder();

/** Magic number and version 1: every core module starts with these eight bytes. */
const HEADER = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0);

export const SECTION = { custom: 0, import: 2, function: 3, global: 6, export: 7 } as const;
const EXTERNAL_KIND = ['func', 'table', 'memory', 'global', 'tag'] as const;
export type ExternalKind = (typeof EXTERNAL_KIND)[number];

export interface Section {
  readonly id: number;
  /** Custom sections only. */
  readonly name?: string;
  /** Section payload (after the custom section's name, for custom sections). */
  readonly payload: Uint8Array;
  /** Whole section: id byte, size and payload, as it sits in the module. */
  readonly raw: Uint8Array;
}

export interface Import {
  readonly module: string;
  readonly name: string;
  readonly kind: ExternalKind;
}

export interface Export {
  readonly name: string;
  readonly kind: ExternalKind;
  readonly index: number;
}


export function sections(bytes: Uint8Array): Section[] {
  const r = new Reader(bytes);
  if (bytes.length < 8) throw new Error('not a WebAssembly module (too short)');
  const magic = r.take(8);
  if (magic[0] !== 0 || magic[1] !== 0x61 || magic[2] !== 0x73 || magic[3] !== 0x6d) {
    throw new Error('not a WebAssembly module (bad magic number)');
  }
  if (magic[4] !== 1 || magic[5] !== 0 || magic[6] !== 0 || magic[7] !== 0) {
    throw new Error('not a core WebAssembly module (version is not 1; a component?)');
  }
  const out: Section[] = [];
  while (!r.done) {
    const start = r.pos;
    const id = r.byte();
    const size = r.u32();
    const payloadStart = r.pos;
    const body = r.take(size);
    const raw = bytes.subarray(start, payloadStart + size);
    if (id === SECTION.custom) {
      const cr = new Reader(body);
      const name = cr.string();
      out.push({ id, name, payload: body.subarray(cr.pos), raw });
    } else {
      out.push({ id, payload: body, raw });
    }
  }
  return out;
}

/** Skip a value type, including the GC proposal's `(ref null? ht)` forms; returns its first byte. */
export function skipValType(r: Reader): number {
  const t = r.byte();
  if (t === 0x63 || t === 0x64) r.skipLeb();
  return t;
}

function skipLimits(r: Reader): void {
  const flags = r.byte();
  r.u32();
  if (flags & 1) r.u32();
  // Custom page sizes (flag bit 3) carry a page-size log2 after the limits.
  if (flags & 8) r.u32();
}

/** The entries of the vector that makes up section `id`'s payload; none if the section is absent. */
function entries<T>(all: readonly Section[], id: number, read: (r: Reader) => T): T[] {
  const section = all.find((s) => s.id === id);
  if (!section) return [];
  const r = new Reader(section.payload);
  const count = r.u32();
  const out: T[] = [];
  for (let i = 0; i < count; i++) out.push(read(r));
  return out;
}

export function imports(all: readonly Section[]): Import[] {
  return entries(all, SECTION.import, (r) => {
    const module = r.string();
    const name = r.string();
    const kindByte = r.byte();
    const kind = EXTERNAL_KIND[kindByte];
    if (kind === undefined) throw new Error(`import ${module}.${name}: unknown kind 0x${kindByte.toString(16)}`);
    switch (kind) {
      case 'func':
        r.u32();
        break;
      case 'table':
        skipValType(r);
        skipLimits(r);
        break;
      case 'memory':
        skipLimits(r);
        break;
      case 'global':
        skipValType(r);
        r.byte();
        break;
      case 'tag':
        r.byte();
        r.u32();
        break;
    }
    return { module, name, kind };
  });
}

export function definedFunctionCount(all: readonly Section[]): number {
  const section = all.find((s) => s.id === SECTION.function);
  return section ? new Reader(section.payload).u32() : 0;
}

export function exports(all: readonly Section[]): Export[] {
  return entries(all, SECTION.export, (r) => {
    const name = r.string();
    const kind = EXTERNAL_KIND[r.byte()] ?? 'func';
    return { name, kind, index: r.u32() };
  });
}

/** Function index → name from the `name` section; tolerant of a damaged section, like hosts are. */
export function functionNames(all: readonly Section[]): Map<number, string> {
  const names = new Map<number, string>();
  for (const s of all) if (s.name === 'name') parseNameSection(s.payload, names);
  return names;
}

function leb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function withSize(id: number, payload: Uint8Array): Uint8Array {
  return concat([Uint8Array.of(id, ...leb(payload.length)), payload]);
}

function encodeString(s: string): Uint8Array {
  const b = utf8Encoder.encode(s);
  return concat([Uint8Array.of(...leb(b.length)), b]);
}

export function customSection(name: string, payload: Uint8Array): Uint8Array {
  return withSize(SECTION.custom, concat([encodeString(name), payload]));
}

/** A custom section as a {@link Section}, ready to append. */
export function newCustomSection(name: string, payload: Uint8Array): Section {
  return { id: SECTION.custom, name, payload, raw: customSection(name, payload) };
}

/** The module made of these sections, in this order. */
export function encode(all: readonly Section[]): Uint8Array {
  return concat([HEADER, ...all.map((s) => s.raw)]);
}

/**
 * `all` with the `name` section's function-names subsection replaced by `names` (other
 * subsections — module and local names — kept). Adds a `name` section if there was none.
 */
export function replaceFunctionNames(all: readonly Section[], names: ReadonlyMap<number, string>): Section[] {
  const entries = [...names].sort((a, b) => a[0] - b[0]);
  const fnSub = withSize(
    FUNCTION_NAMES,
    concat([Uint8Array.of(...leb(entries.length)), ...entries.map(([i, n]) => concat([Uint8Array.of(...leb(i)), encodeString(n)]))]),
  );
  const existing = all.find((s) => s.name === 'name');
  const subsections: Uint8Array[] = [];
  let placed = false;
  if (existing) {
    const r = new Reader(existing.payload);
    while (!r.done) {
      const start = r.pos;
      const id = r.byte();
      r.take(r.u32());
      if (id === FUNCTION_NAMES) continue;
      // Subsections must appear in increasing id order.
      if (id > FUNCTION_NAMES && !placed) {
        subsections.push(fnSub);
        placed = true;
      }
      subsections.push(existing.payload.subarray(start, r.pos));
    }
  }
  if (!placed) subsections.push(fnSub);
  const payload = concat(subsections);
  const nameSection = newCustomSection('name', payload);
  // The spec places `name` after the data section; appending keeps that true.
  return [...all.filter((s) => s !== existing), nameSection];
}

/**
 * binaryen's output with the input's custom sections, which binaryen does not carry over: its own
 * `target_features` (every feature it was told to read with) gives way to the input's, and any
 * custom section the input had and the output lacks is put back as it was (they are opaque to us).
 */
export function withInputCustomSections(output: readonly Section[], input: readonly Section[]): Section[] {
  const kept = output.filter((s) => s.name !== 'target_features');
  return [...kept, ...droppedCustomSections(kept, input)];
}

/** Custom sections of the input missing from the output, as they were (they are opaque to us). */
function droppedCustomSections(output: readonly Section[], input: readonly Section[]): Section[] {
  const present = new Map<string, number>();
  for (const s of output) if (s.name !== undefined) present.set(s.name, (present.get(s.name) ?? 0) + 1);
  const dropped: Section[] = [];
  for (const s of input) {
    if (s.name === undefined || s.name === 'name') continue;
    const left = present.get(s.name) ?? 0;
    if (left > 0) present.set(s.name, left - 1);
    else dropped.push(s);
  }
  return dropped;
}
