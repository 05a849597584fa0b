/** What `instrument` leaves out by default, and what it records in the module for `inspect`. */

/**
 * Functions left out by default: leaves (no call of any kind, no loop, no `memory.grow`) of at
 * most this many binaryen expressions (about as many wasm instructions). Such a function runs
 * each instruction at most once, so it finishes in well under a microsecond, far below the
 * host's 20 µs span filter, which would drop its span anyway; left out, it costs nothing.
 */
export const SMALL_LEAF = 128;

/** Custom section where `instrument` records what it did, for `inspect`: an {@link InstrumentRecord} as JSON. */
export const INSTRUMENT_SECTION = 'wasm-observe.instrument';

export interface InstrumentRecord {
  /** Functions that report enter/exit. */
  readonly functions: number;
  /** Imports whose calls are reported. */
  readonly imports: number;
  /** Small leaf functions left out, and the size bound that made them small. */
  readonly smallLeaves: number;
  readonly smallLeafBound: number;
}
