// The Javy record format, written once. The binding (running in QuickJS), the host's decoder
// and javy-link all import these numbers; FORMAT.md explains them. Plain ES2020 so QuickJS
// loads it unmodified.

/** First four bytes of every record, "\0OBS": text a program prints never starts with NUL. */
export const MAGIC = [0x00, 0x4f, 0x42, 0x53];

/** The same four bytes as a little-endian u32, for a single load in Wasm. */
export const MAGIC_U32 = (MAGIC[0] | (MAGIC[1] << 8) | (MAGIC[2] << 16) | (MAGIC[3] << 24)) >>> 0;

/** Bumped on any incompatible change; readers accept exactly this version. */
export const VERSION = 1;

/** magic(4) version(1) op(1) arg(1) payload length (u32 LE, 4) */
export const HEADER_SIZE = 11;

/** Byte offsets of the header fields. */
export const OFFSET_VERSION = 4;
export const OFFSET_OP = 5;
export const OFFSET_ARG = 6;
export const OFFSET_LENGTH = 7;

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
