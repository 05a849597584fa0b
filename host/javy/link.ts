/**
 * javy-link: make a Javy-compiled module speak the Observe API.
 *
 * The module's `wasi_snapshot_preview1.fd_write` import is replaced by a Wasm function (built
 * here with binaryen) that keeps the original name, so every existing call — direct, indirect
 * through the table, or exported — reaches it. For fd 2 it examines each iovec: one that is
 * exactly a run of complete records (FORMAT.md; the same rule as host/javy/records.ts)
 * becomes calls to `dylibso:observe/api` with (ptr, len) into guest memory and is reported as
 * written, as is the lone "\n" console.error writes after text records; every other iovec goes
 * to the real fd_write untouched, in order.
 */
import type binaryenNs from 'binaryen';
import { API_MODULE, IMPORTS } from '../abi/spec.ts';
import { extras, loadBinaryen, readFeatures, type Binaryen, type BinaryenModule as Module } from '../tools/binaryen.ts';
import * as wasm from '../tools/wasm-binary.ts';
import {
  HEADER_SIZE,
  MAGIC_U32,
  NEWLINE,
  OFFSET_ARG,
  OFFSET_LENGTH,
  OFFSET_OP,
  OFFSET_VERSION,
  OPS,
  RECORD_FD,
  TEXT_ARG_DIGITS,
  TEXT_HEADER_SIZE,
  TEXT_LENGTH_DIGITS,
  TEXT_MARK,
  TEXT_OFFSET_ARG,
  TEXT_OFFSET_LENGTH,
  TEXT_OFFSET_OP,
  TEXT_OFFSET_VERSION,
  TEXT_VERSION,
  VERSION,
} from '../../bindings/javy/format.js';

type Expr = binaryenNs.ExpressionRef;

const WASI_MODULE = 'wasi_snapshot_preview1';
/** Custom section the linker adds: provenance, and a second way to spot a linked module. */
export const LINKED_SECTION = 'wasm-observe.javy-link';

export type JavyLinkFailure = 'already-linked' | 'no-fd-write' | 'dynamic' | 'invalid';

export class JavyLinkError extends Error {
  readonly reason: JavyLinkFailure;
  constructor(reason: JavyLinkFailure, message: string) {
    super(message);
    this.name = 'JavyLinkError';
    this.reason = reason;
  }
}

// Internal names of what the linker adds; `$` keeps them clear of Rust/C symbol names.
const ORIGINAL_FD_WRITE = 'wasm_observe$fd_write';
const RECORDS_VALID = 'wasm_observe$records_valid';
const RECORD_END = 'wasm_observe$record_end';
const HEX = 'wasm_observe$hex';
const DISPATCH = 'wasm_observe$dispatch';
/** Set after a run of text records, until the next fd-2 iovec: is it console.error's "\n"? */
const AWAITS_NEWLINE = 'wasm_observe$awaits_newline';
const apiName = (name: string) => `wasm_observe$${name}`;

/** The `dylibso:observe/api` imports the dispatcher calls, one per record op. */
const API_IMPORTS = IMPORTS.filter((i) => i.module === API_MODULE);

export async function linkJavy(input: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  // binaryen aborts with an opaque object on bytes that are not a module: check first.
  if (!WebAssembly.validate(input as Uint8Array<ArrayBuffer>)) {
    throw new JavyLinkError('invalid', 'javy-link: the input is not a valid WebAssembly module');
  }
  const b = await loadBinaryen();
  const m = extras(b).readBinary(input, readFeatures(b));
  const keepNames = b.getDebugInfo();
  try {
    const fdWrite = findImports(b, m);
    rewrite(b, m, fdWrite);
    b.setDebugInfo(true); // keep the name section, so stack traces and profiles still name functions
    const output = wasm.encode(wasm.withInputCustomSections(wasm.sections(m.emitBinary()), wasm.sections(input))) as Uint8Array<ArrayBuffer>;
    // The engine's validator, not binaryen's: ~10 ms instead of ~800 ms on a 1 MB module.
    if (!WebAssembly.validate(output)) {
      throw new JavyLinkError('invalid', 'javy-link: the linked module does not validate (a linker bug: please report it)');
    }
    return output;
  } finally {
    b.setDebugInfo(keepNames);
    m.dispose();
  }
}

function findImports(b: Binaryen, m: Module): binaryenNs.FunctionInfo {
  let fdWrite: binaryenNs.FunctionInfo | undefined;
  const importModules = new Set<string>();
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const info = b.getFunctionInfo(m.getFunctionByIndex(i));
    if (!info.module) continue;
    importModules.add(info.module);
    if (info.module === API_MODULE) {
      throw new JavyLinkError(
        'already-linked',
        `javy-link: the module already imports ${API_MODULE} (${info.base}); it is linked or hand-instrumented, nothing to do`,
      );
    }
    if (info.module === WASI_MODULE && info.base === 'fd_write') fdWrite = info;
  }
  if (fdWrite) {
    if (b.expandType(fdWrite.params).length !== 4 || fdWrite.results !== b.i32) {
      throw new JavyLinkError('invalid', 'javy-link: fd_write import has an unexpected signature');
    }
    if (!m.hasMemory()) throw new JavyLinkError('invalid', 'javy-link: the module has no memory');
    return fdWrite;
  }
  const plugin = [...importModules].find((name) => name.startsWith('javy'));
  if (plugin) {
    throw new JavyLinkError(
      'dynamic',
      `javy-link: this is a dynamically linked Javy module (imports '${plugin}'); fd_write lives in the plugin. ` +
        'Link the plugin instead (javy emit-plugin -o plugin.wasm; wasm-observe javy-link plugin.wasm -o plugin.observe.wasm) ' +
        'and run the app with it (wasm-observe run app.wasm --javy-plugin plugin.observe.wasm).',
    );
  }
  throw new JavyLinkError('no-fd-write', `javy-link: the module does not import ${WASI_MODULE}.fd_write`);
}

function rewrite(b: Binaryen, m: Module, fdWrite: binaryenNs.FunctionInfo): void {
  const taken = [ORIGINAL_FD_WRITE, RECORDS_VALID, RECORD_END, HEX, DISPATCH, ...API_IMPORTS.map((i) => apiName(i.name))];
  for (const name of taken) {
    if (m.getFunction(name)) throw new JavyLinkError('already-linked', `javy-link: the module already has ${name}`);
  }
  if (m.getGlobal(AWAITS_NEWLINE)) throw new JavyLinkError('already-linked', `javy-link: the module already has ${AWAITS_NEWLINE}`);
  // Binaryen cannot rename: drop the import, re-add it under a new name, and give the old name
  // to the wrapper so every reference now reaches the wrapper.
  m.removeFunction(fdWrite.name);
  m.addFunctionImport(ORIGINAL_FD_WRITE, WASI_MODULE, 'fd_write', fdWrite.params, fdWrite.results);
  for (const spec of API_IMPORTS) {
    const params = b.createType(spec.params.map(() => b.i32));
    m.addFunctionImport(apiName(spec.name), API_MODULE, spec.name, params, b.none);
  }
  m.addGlobal(AWAITS_NEWLINE, b.i32, true, m.i32.const(0));
  const e = new Emit(b, m);
  const i32x2 = b.createType([b.i32, b.i32]);
  m.addFunction(HEX, i32x2, b.i64, [b.i64, b.i32], e.hex());
  m.addFunction(RECORD_END, i32x2, b.i32, [b.i32, b.i64, b.i32], e.recordEnd());
  m.addFunction(RECORDS_VALID, i32x2, b.i32, [b.i32, b.i32, b.i32], e.recordsValid());
  m.addFunction(DISPATCH, i32x2, b.none, [b.i32, b.i32, b.i32, b.i32, b.i32], e.dispatch());
  m.addFunction(fdWrite.name, fdWrite.params, b.i32, [b.i32, b.i32, b.i32, b.i32, b.i32, b.i32, b.i32], e.fdWrite());
  m.addCustomSection(LINKED_SECTION, Uint8Array.of(VERSION));
}

/** How RECORDS_VALID answers (the same three answers as the host's scan). */
const RUN_NONE = 0;
const RUN_COMPLETE = 1;
const RUN_AWAITS_NEWLINE = 2;

/** Function bodies, as binaryen expressions. Locals are numbered: params first, then vars. */
class Emit {
  readonly #b: Binaryen;
  readonly #m: Module;

  constructor(b: Binaryen, m: Module) {
    this.#b = b;
    this.#m = m;
  }

  get(i: number): Expr {
    return this.#m.local.get(i, this.#b.i32);
  }
  get64(i: number): Expr {
    return this.#m.local.get(i, this.#b.i64);
  }
  c(n: number): Expr {
    return this.#m.i32.const(n);
  }
  // Records are packed with no padding: every load is unaligned (align 0 = 1 byte).
  u8(ptr: Expr, offset: number): Expr {
    return this.#m.i32.load8_u(offset, 0, ptr);
  }
  u32(ptr: Expr, offset: number): Expr {
    return this.#m.i32.load(offset, 0, ptr);
  }
  /** Whether the record at `ptr` (already validated) is a text record. */
  isText(ptr: Expr): Expr {
    return this.#m.i32.eq(this.u8(ptr, OFFSET_VERSION), this.c(TEXT_MARK));
  }

  /** ptr + len ≤ memory size, computed in i64 so it cannot wrap; `len` is an i64. */
  fits(ptr: Expr, len: Expr): Expr {
    const { i64 } = this.#m;
    const size = i64.shl(i64.extend_u(this.#m.memory.size()), i64.const(16n));
    return i64.le_u(i64.add(i64.extend_u(ptr), len), size);
  }

  /** The same with an i32 `len`. */
  inBounds(ptr: Expr, len: Expr): Expr {
    return this.fits(ptr, this.#m.i64.extend_u(len));
  }

  /** (ptr, count) → the lowercase hex digits there as a number, or -1 (i64). */
  hex(): Expr {
    const m = this.#m;
    const [ptr, count, n, c] = [0, 1, 2, 3];
    const digit = (from: number, base: number) => m.i32.lt_u(m.i32.sub(this.get(c), this.c(from)), this.c(base));
    const add = (from: number, delta: number) =>
      m.local.set(n, m.i64.or(m.i64.shl(this.get64(n), m.i64.const(4n)), m.i64.extend_u(m.i32.sub(this.get(c), this.c(from - delta)))));
    return m.block(null, [
      m.block('done', [
        m.loop('next', m.block(null, [
          m.br('done', m.i32.eqz(this.get(count))),
          m.local.set(c, this.u8(this.get(ptr), 0)),
          m.if(digit(0x30, 10), add(0x30, 0), m.if(digit(0x61, 6), add(0x61, 10), m.return(m.i64.const(-1n)))),
          m.local.set(ptr, m.i32.add(this.get(ptr), this.c(1))),
          m.local.set(count, m.i32.sub(this.get(count), this.c(1))),
          m.br('next'),
        ])),
      ]),
      m.return(this.get64(n)),
    ]);
  }

  /** (ptr, end) → where the complete record at ptr ends (≤ end), or 0 if there is none. */
  recordEnd(): Expr {
    const m = this.#m;
    const { i64 } = m;
    const [ptr, end, payload, length, op] = [0, 1, 2, 3, 4];
    const reject = (cond: Expr) => m.if(cond, m.return(this.c(0)));
    const rest = () => m.i32.sub(this.get(end), this.get(ptr));
    const opFirst = OPS['span-enter'];
    const opCount = OPS.metric - opFirst + 1;
    const hexAt = (offset: number, digits: number) => m.call(HEX, [m.i32.add(this.get(ptr), this.c(offset)), this.c(digits)], this.#b.i64);
    const binary = m.block(null, [
      m.local.set(op, this.u8(this.get(ptr), OFFSET_OP)),
      m.local.set(length, i64.extend_u(this.u32(this.get(ptr), OFFSET_LENGTH))),
      m.local.set(payload, m.i32.add(this.get(ptr), this.c(HEADER_SIZE))),
    ]);
    const text = m.block(null, [
      reject(m.i32.lt_u(rest(), this.c(TEXT_HEADER_SIZE))),
      reject(m.i32.ne(this.u8(this.get(ptr), TEXT_OFFSET_VERSION), this.c(0x30 + TEXT_VERSION))),
      m.local.set(op, m.i32.sub(this.u8(this.get(ptr), TEXT_OFFSET_OP), this.c(0x30))),
      reject(i64.lt_s(hexAt(TEXT_OFFSET_ARG, TEXT_ARG_DIGITS), i64.const(0n))),
      m.local.set(length, hexAt(TEXT_OFFSET_LENGTH, TEXT_LENGTH_DIGITS)),
      reject(i64.lt_s(this.get64(length), i64.const(0n))),
      m.local.set(payload, m.i32.add(this.get(ptr), this.c(TEXT_HEADER_SIZE))),
    ]);
    return m.block(null, [
      reject(m.i32.lt_u(rest(), this.c(HEADER_SIZE))),
      reject(m.i32.ne(this.u32(this.get(ptr), 0), this.c(MAGIC_U32 | 0))),
      m.if(
        m.i32.eq(this.u8(this.get(ptr), OFFSET_VERSION), this.c(VERSION)),
        binary,
        m.if(this.isText(this.get(ptr)), text, m.return(this.c(0))),
      ),
      reject(m.i32.ge_u(m.i32.sub(this.get(op), this.c(opFirst)), this.c(opCount))),
      reject(i64.gt_u(this.get64(length), i64.extend_u(m.i32.sub(this.get(end), this.get(payload))))),
      m.return(m.i32.add(this.get(payload), m.i32.wrap(this.get64(length)))),
    ]);
  }

  /**
   * (ptr, len) → RUN_COMPLETE if the bytes are one or more complete records back to back (text
   * ones may be followed by one "\n"), RUN_AWAITS_NEWLINE if they end in a text record, else 0.
   */
  recordsValid(): Expr {
    const m = this.#m;
    const [ptr, len, end, next, text] = [0, 1, 2, 3, 4];
    const reject = (cond: Expr) => m.if(cond, m.return(this.c(RUN_NONE)));
    const trailingNewline = m.i32.and(
      m.i32.and(this.get(text), m.i32.eq(this.get(ptr), m.i32.sub(this.get(end), this.c(1)))),
      m.i32.eq(this.u8(this.get(ptr), 0), this.c(NEWLINE)),
    );
    return m.block(null, [
      reject(m.i32.eqz(this.get(len))),
      reject(m.i32.eqz(this.inBounds(this.get(ptr), this.get(len)))),
      m.local.set(end, m.i32.add(this.get(ptr), this.get(len))),
      m.loop('next', m.block(null, [
        m.local.set(next, m.call(RECORD_END, [this.get(ptr), this.get(end)], this.#b.i32)),
        m.if(m.i32.eqz(this.get(next)), m.return(m.select(trailingNewline, this.c(RUN_COMPLETE), this.c(RUN_NONE)))),
        m.local.set(text, this.isText(this.get(ptr))),
        m.local.set(ptr, this.get(next)),
        m.br('next', m.i32.ne(this.get(ptr), this.get(end))),
      ])),
      m.return(m.select(this.get(text), this.c(RUN_AWAITS_NEWLINE), this.c(RUN_COMPLETE))),
    ]);
  }

  /** (ptr, len) of a run recordsValid accepted → one observe call per record, in order. */
  dispatch(): Expr {
    const m = this.#m;
    const none = this.#b.none;
    const [ptr, len, end, next, body, op, arg] = [0, 1, 2, 3, 4, 5, 6];
    const text = () => [this.get(body), m.i32.sub(this.get(next), this.get(body))];
    const calls: Record<string, () => Expr> = {
      'span-enter': () => m.call(apiName('span-enter'), text(), none),
      'span-exit': () => m.call(apiName('span-exit'), [], none),
      'span-tags': () => m.call(apiName('span-tags'), text(), none),
      log: () => m.call(apiName('log'), [this.get(arg), ...text()], none),
      metric: () => m.call(apiName('metric'), [this.get(arg), ...text()], none),
    };
    // An if-chain on the opcode; RECORD_END already bounded it to the known ops.
    const byOp = Object.entries(OPS).reduceRight<Expr>(
      (otherwise, [name, code]) => m.if(m.i32.eq(this.get(op), this.c(code)), calls[name]!(), otherwise),
      m.nop(),
    );
    const textFields = m.block(null, [
      m.local.set(op, m.i32.sub(this.u8(this.get(ptr), TEXT_OFFSET_OP), this.c(0x30))),
      m.local.set(arg, m.i32.wrap(m.call(HEX, [m.i32.add(this.get(ptr), this.c(TEXT_OFFSET_ARG)), this.c(TEXT_ARG_DIGITS)], this.#b.i64))),
      m.local.set(body, m.i32.add(this.get(ptr), this.c(TEXT_HEADER_SIZE))),
    ]);
    const binaryFields = m.block(null, [
      m.local.set(op, this.u8(this.get(ptr), OFFSET_OP)),
      m.local.set(arg, this.u8(this.get(ptr), OFFSET_ARG)),
      m.local.set(body, m.i32.add(this.get(ptr), this.c(HEADER_SIZE))),
    ]);
    return m.block(null, [
      m.local.set(end, m.i32.add(this.get(ptr), this.get(len))),
      m.block('done', [
        m.loop('next', m.block(null, [
          m.local.set(next, m.call(RECORD_END, [this.get(ptr), this.get(end)], this.#b.i32)),
          // Only the "\n" after text records ends a valid run without being a record.
          m.br('done', m.i32.eqz(this.get(next))),
          m.if(this.isText(this.get(ptr)), textFields, binaryFields),
          byOp,
          m.local.set(ptr, this.get(next)),
          m.br('next', m.i32.ne(this.get(ptr), this.get(end))),
        ])),
      ]),
    ]);
  }

  /** The fd_write replacement: (fd, iovs, iovs_len, nwritten) → errno. */
  fdWrite(): Expr {
    const m = this.#m;
    const i32 = this.#b.i32;
    const [fd, iovs, iovsLen, nwritten, i, total, iov, len, err, n, run] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const original = (iovsArg: Expr, count: Expr) =>
      m.call(ORIGINAL_FD_WRITE, [this.get(fd), iovsArg, count, this.get(nwritten)], i32);
    const passAll = () => m.block(null, [m.global.set(AWAITS_NEWLINE, this.c(0)), m.return(original(this.get(iovs), this.get(iovsLen)))]);
    // iovs_len * 8 in i64: a hostile count must not wrap into an in-bounds size.
    const iovsFit = this.fits(this.get(iovs), m.i64.mul(m.i64.extend_u(this.get(iovsLen)), m.i64.const(8n)));
    const ptr = () => this.u32(this.get(iov), 0);
    // len is 1 and in bounds, and the byte is "\n".
    const isNewline = m.if(
      m.i32.and(m.i32.eq(this.get(len), this.c(1)), this.inBounds(ptr(), this.c(1))),
      m.i32.eq(this.u8(ptr(), 0), this.c(NEWLINE)),
      this.c(0),
    );
    return m.block(null, [
      m.if(m.i32.ne(this.get(fd), this.c(RECORD_FD)), m.return(original(this.get(iovs), this.get(iovsLen)))),
      // Out-of-bounds arguments: let the real fd_write report EFAULT rather than trap here.
      m.if(m.i32.eqz(iovsFit), passAll()),
      m.if(m.i32.eqz(this.inBounds(this.get(nwritten), this.c(4))), passAll()),
      m.block('done', [
        m.loop('each', m.block(null, [
          m.br('done', m.i32.ge_u(this.get(i), this.get(iovsLen))),
          m.local.set(iov, m.i32.add(this.get(iovs), m.i32.shl(this.get(i), this.c(3)))),
          m.local.set(len, this.u32(this.get(iov), 4)),
          m.if(
            m.i32.and(m.global.get(AWAITS_NEWLINE, i32), isNewline),
            m.block(null, [
              m.global.set(AWAITS_NEWLINE, this.c(0)),
              m.local.set(total, m.i32.add(this.get(total), this.c(1))),
            ]),
            m.block(null, [
              m.global.set(AWAITS_NEWLINE, this.c(0)),
              m.local.set(run, m.call(RECORDS_VALID, [ptr(), this.get(len)], i32)),
              m.if(
                this.get(run),
                m.block(null, [
                  m.call(DISPATCH, [ptr(), this.get(len)], this.#b.none),
                  m.global.set(AWAITS_NEWLINE, m.i32.eq(this.get(run), this.c(RUN_AWAITS_NEWLINE))),
                  m.local.set(total, m.i32.add(this.get(total), this.get(len))),
                ]),
                m.block(null, [
                  m.local.set(err, original(this.get(iov), this.c(1))),
                  // POSIX: an error after some bytes went out is reported as a short write.
                  m.if(this.get(err), m.block(null, [m.if(m.i32.eqz(this.get(total)), m.return(this.get(err))), m.br('done')])),
                  m.local.set(n, this.u32(this.get(nwritten), 0)),
                  m.local.set(total, m.i32.add(this.get(total), this.get(n))),
                  m.br('done', m.i32.lt_u(this.get(n), this.get(len))),
                ]),
              ),
            ]),
          ),
          m.local.set(i, m.i32.add(this.get(i), this.c(1))),
          m.br('each'),
        ])),
      ]),
      m.i32.store(0, 0, this.get(nwritten), this.get(total)),
      m.return(this.c(0)),
    ]);
  }
}
