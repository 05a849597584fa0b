// The Javy record format, written once. The binding (running in QuickJS), the host's decoder
// and javy-link all import these numbers; FORMAT.md explains them. Plain ES2020 so QuickJS
// loads it unmodified.

/** First four bytes of every record, "\0OBS": text a program prints never starts with NUL. */
export const MAGIC = [0x00, 0x4f, 0x42, 0x53];

/** The same four bytes as a little-endian u32, for a single load in Wasm. */
export const MAGIC_U32 = (MAGIC[0] | (MAGIC[1] << 8) | (MAGIC[2] << 16) | (MAGIC[3] << 24)) >>> 0;

/** Bumped on any incompatible change; readers accept exactly this version. */
export const VERSION = 1;

/** Byte offsets of the header fields: magic(4) version(1) op(1) arg(1) payload length (u32 LE, 4). */
export const OFFSET_VERSION = 4;
export const OFFSET_OP = 5;
export const OFFSET_ARG = 6;
export const OFFSET_LENGTH = 7;

/** 11 bytes. */
export const HEADER_SIZE = OFFSET_LENGTH + 4;

/** Opcodes, one per `dylibso:observe/api` import, named as the import is. */
export const OPS = Object.freeze({
  'span-enter': 1,
  'span-exit': 2,
  'span-tags': 3,
  log: 4,
  metric: 5,
});

/** The file descriptor records travel on. */
export const RECORD_FD = 2;

// Text framing, for runtimes without Javy.IO: the record travels as a JS string through
// console.error, so every header byte is printable ASCII after the magic. FORMAT.md, "Text records".

/** Byte 4 of a text record, where a binary record has its version byte: the two never collide. */
export const TEXT_MARK = 0x74; // 't'

/** Text framing version, one ASCII digit at byte 5. */
export const TEXT_VERSION = 1;

/** Hex digits in the arg and length fields (lowercase only). */
export const TEXT_ARG_DIGITS = 2;
export const TEXT_LENGTH_DIGITS = 8;

/** Byte offsets of the text header fields: magic(4) 't'(1) version digit(1) op digit(1) arg (2 hex) payload length (8 hex). */
export const TEXT_OFFSET_VERSION = 5;
export const TEXT_OFFSET_OP = 6;
export const TEXT_OFFSET_ARG = 7;
export const TEXT_OFFSET_LENGTH = TEXT_OFFSET_ARG + TEXT_ARG_DIGITS;

/** 17 bytes. */
export const TEXT_HEADER_SIZE = TEXT_OFFSET_LENGTH + TEXT_LENGTH_DIGITS;

/** What console.error writes after its text; swallowed after a text record. */
export const NEWLINE = 0x0a;
