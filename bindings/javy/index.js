// Observe API for JavaScript compiled with Javy.
//
// Stock Javy gives JS no way to call a Wasm import, so every call becomes one record on stderr
// (FORMAT.md): binary, with Javy.IO.writeSync(2, …), in builds that have it; otherwise text,
// with console.error, which every Javy runtime has. `wasm-observe javy-link` turns those writes
// into `dylibso:observe/api` calls; `wasm-observe run` also decodes them from an unlinked module.
//
// Runs in bare QuickJS: ES2020, no Node APIs, TextEncoder only if present. Nothing here throws
// into user code; in Node, Deno, Bun or a browser every call is a silent no-op.
import {
  MAGIC,
  VERSION,
  HEADER_SIZE,
  OFFSET_VERSION,
  OFFSET_OP,
  OFFSET_ARG,
  OFFSET_LENGTH,
  OPS,
  RECORD_FD,
  TEXT_MARK,
  TEXT_VERSION,
  TEXT_ARG_DIGITS,
  TEXT_LENGTH_DIGITS,
} from './format.js';

/** Log levels as the Observe ABI numbers them. */
export const LogLevel = Object.freeze({ Error: 1, Warn: 2, Info: 3, Debug: 4, Trace: 5 });

/** Metric payload formats. */
export const MetricFormat = Object.freeze({ Statsd: 1 });

// Looked up on every call: a bundle may load before Javy's globals exist in odd embeddings.
function stream() {
  const javy = globalThis.Javy;
  const io = javy && javy.IO;
  return io && typeof io.writeSync === 'function' ? io : undefined;
}

// Runtimes whose console.error is not a Javy module's stderr: there, records would be noise.
function otherRuntime() {
  const g = globalThis;
  return g.process !== undefined || g.window !== undefined || g.self !== undefined || g.Deno !== undefined;
}

function consoleError() {
  const c = globalThis.console;
  return c && typeof c.error === 'function' && !otherRuntime() ? c : undefined;
}

/**
 * Where records go: `'javy-io'` (Javy.IO.writeSync, builds with `-J javy-stream-io=y`),
 * `'console'` (console.error, every other Javy build and plugin), or undefined (not Javy).
 */
export function channel() {
  if (stream()) return 'javy-io';
  return consoleError() ? 'console' : undefined;
}

const encoder = typeof TextEncoder === 'function' ? new TextEncoder() : undefined;

// UTF-8 of a JS string, for QuickJS without TextEncoder; lone surrogates become U+FFFD, as
// TextEncoder does. At most 3 bytes per UTF-16 unit, so one buffer of that size always fits.
function utf8Encode(s) {
  const out = new Uint8Array(s.length * 3);
  let pos = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[pos++] = c;
      continue;
    }
    if (c < 0x800) {
      out[pos++] = 0xc0 | (c >> 6);
      out[pos++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      out[pos++] = 0xf0 | (c >> 18);
      out[pos++] = 0x80 | ((c >> 12) & 0x3f);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
    out[pos++] = 0xe0 | (c >> 12);
    out[pos++] = 0x80 | ((c >> 6) & 0x3f);
    out[pos++] = 0x80 | (c & 0x3f);
  }
  return out.subarray(0, pos);
}

/** Builds one record. Exported for tests and tools; user code calls the API below. */
export function encodeRecord(op, arg, text) {
  const bytes = encoder ? encoder.encode(text) : utf8Encode(text);
  const length = bytes.length;
  const record = new Uint8Array(HEADER_SIZE + length);
  record.set(MAGIC, 0);
  record[OFFSET_VERSION] = VERSION;
  record[OFFSET_OP] = op;
  record[OFFSET_ARG] = arg;
  record[OFFSET_LENGTH] = length & 0xff;
  record[OFFSET_LENGTH + 1] = (length >>> 8) & 0xff;
  record[OFFSET_LENGTH + 2] = (length >>> 16) & 0xff;
  record[OFFSET_LENGTH + 3] = (length >>> 24) & 0xff;
  record.set(bytes, HEADER_SIZE);
  return record;
}

const ZEROS = '00000000';

// Native toString and slice: a digit loop costs microseconds in interpreted QuickJS.
function hexField(n, digits) {
  return (ZEROS + n.toString(16)).slice(-digits);
}

// A lone surrogate has no UTF-8 form: runtimes write U+FFFD (3 bytes), and so do we.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Most payloads are ASCII, where the UTF-8 length is the string length: one native regex test
// instead of a loop over every character.
const ASCII = /^[\x00-\x7f]*$/;

/** What every text record starts with: the magic and the text mark. */
const TEXT_PREFIX = String.fromCharCode(...MAGIC, TEXT_MARK);

/**
 * One text record: the same fields as a binary record, as a string that survives
 * console.error (FORMAT.md, "Text records"). Exported for tests and tools.
 */
export function encodeTextRecord(op, arg, text) {
  let payload = text;
  let length = text.length;
  if (!ASCII.test(text)) {
    payload = text.replace(LONE_SURROGATE, '\ufffd');
    length = (encoder ? encoder.encode(payload) : utf8Encode(payload)).length;
  }
  return `${TEXT_PREFIX}${TEXT_VERSION}${op}${hexField(arg, TEXT_ARG_DIGITS)}${hexField(length, TEXT_LENGTH_DIGITS)}${payload}`;
}

// One record per writeSync: Javy turns that into exactly one fd_write with one iovec, which is
// the unit javy-link and the host decoder recognise. A short write is not retried, so a record
// is never split across two fd_writes. Without Javy.IO, one console.error per record, with a
// single argument: Javy writes each argument, and the spaces between them, separately.
function emit(op, arg, text) {
  try {
    const io = stream();
    if (io) {
      io.writeSync(RECORD_FD, encodeRecord(op, arg, text));
      return;
    }
    const c = consoleError();
    if (c) c.error(encodeTextRecord(op, arg, text));
  } catch (_) {
    // Telemetry must not break the program (a closed stderr, an odd toString, …).
  }
}

// Level and format travel in one byte; anything else is not a value the ABI defines.
function byteArg(value) {
  try {
    const n = Number(value);
    return Number.isInteger(n) && n >= 0 && n <= 255 ? n : -1;
  } catch (_) {
    return -1;
  }
}

function text(value) {
  try {
    return typeof value === 'string' ? value : String(value);
  } catch (_) {
    return undefined;
  }
}

// Spans opened through this module and not yet closed; lets withSpan close what fn left open.
let depth = 0;

/** How many spans opened through this module are still open. */
export function openSpans() {
  return depth;
}

/** Opens a span named `name`, a child of the innermost open span. */
export function spanEnter(name) {
  const s = text(name);
  if (s === undefined) return;
  emit(OPS['span-enter'], 0, s);
  depth++;
}

/** Closes the innermost open span. */
export function spanExit() {
  emit(OPS['span-exit'], 0, '');
  if (depth > 0) depth--;
}

// Tag separators are `,` between tags and the first `:` inside one; keep them unambiguous.
function tagPart(value, isKey) {
  const s = text(value);
  if (s === undefined) return '';
  return isKey ? s.replace(/[,:|\n#]/g, '_') : s.replace(/[,|\n]/g, '_');
}

function formatTags(tags) {
  if (tags === null || tags === undefined) return '';
  if (typeof tags === 'string') return tags;
  if (Array.isArray(tags)) return tags.map((t) => tagPart(t, false)).filter((t) => t !== '').join(',');
  if (typeof tags === 'object') {
    return Object.keys(tags).map((k) => `${tagPart(k, true)}:${tagPart(tags[k], false)}`).join(',');
  }
  return text(tags);
}

/** Tags the innermost open span: `"k:v,k2:v2"`, `["k:v"]` or `{ k: v }`. */
export function spanTags(tags) {
  try {
    const s = formatTags(tags);
    if (s) emit(OPS['span-tags'], 0, s);
  } catch (_) {
    // A hostile object (throwing getter) loses its tags, never the program.
  }
}

/** Tags the innermost open span with one `key:value`. */
export function spanTag(key, value) {
  spanTags(`${tagPart(key, true)}:${tagPart(value, false)}`);
}

/** A log line at `level` (LogLevel), attached to the innermost open span. */
export function log(level, message) {
  const arg = byteArg(level);
  const s = text(message);
  if (arg >= 0 && s !== undefined) emit(OPS.log, arg, s);
}

/** A metric in `format` (MetricFormat), attached to the innermost open span. */
export function metric(format, payload) {
  const arg = byteArg(format);
  const s = text(payload);
  if (arg >= 0 && s !== undefined) emit(OPS.metric, arg, s);
}

function statsdLine(name, value, type, sampleRate, tags) {
  let line = `${tagPart(name, true)}:${value}|${type}`;
  if (typeof sampleRate === 'number' && sampleRate < 1) {
    // Client-side sampling, as statsd clients do: send about rate × calls, marked |@rate so
    // the server scales counts back up.
    if (!(sampleRate > 0) || Math.random() >= sampleRate) return undefined;
    line += `|@${sampleRate}`;
  }
  // A tag string is the caller's, but `|` or a newline would end the line early.
  const s = typeof tags === 'string' ? tags.replace(/[|\n]/g, '_') : formatTags(tags);
  if (s) line += `|#${s}`;
  return line;
}

function sendLine(name, value, type, sampleRate, tags) {
  try {
    const line = statsdLine(name, value, type, sampleRate, tags);
    if (line !== undefined) metric(MetricFormat.Statsd, line);
  } catch (_) {
    // Same rule as everywhere: a bad argument drops the metric, not the program.
  }
}

// NaN or Infinity would make a line no statsd server parses: drop it instead.
function sendNumber(name, value, type, sampleRate, tags, signed) {
  try {
    const v = Number(value);
    if (Number.isFinite(v)) sendLine(name, signed && v >= 0 ? `+${v}` : `${v}`, type, sampleRate, tags);
  } catch (_) {
    // Number() of a hostile object throws: drop the metric.
  }
}

// The statsd helpers mirror the AssemblyScript library: (name, [value,] sampleRate = 1, tags).
// `tags` is a `k:v,k2:v2` string, an array of `k:v`, or an object.

/** Adds `value` to a counter (`c`). */
export function counter(name, value, sampleRate = 1, tags = '') {
  sendNumber(name, value, 'c', sampleRate, tags, false);
}

/** Adds one to a counter (`c`). */
export function increment(name, sampleRate = 1, tags = '') {
  sendNumber(name, 1, 'c', sampleRate, tags, false);
}

/** Sets a gauge (`g`). statsd reads a signed value as a delta, so negative gauges cannot be set. */
export function gauge(name, value, sampleRate = 1, tags = '') {
  sendNumber(name, value, 'g', sampleRate, tags, false);
}

/** Moves a gauge by `delta` (`g` with an explicit sign). */
export function gaugeDelta(name, delta, sampleRate = 1, tags = '') {
  sendNumber(name, delta, 'g', sampleRate, tags, true);
}

/** Records a duration in milliseconds (`ms`). */
export function timing(name, millis, sampleRate = 1, tags = '') {
  sendNumber(name, millis, 'ms', sampleRate, tags, false);
}

/** Records a value in a histogram (`h`). */
export function histogram(name, value, sampleRate = 1, tags = '') {
  sendNumber(name, value, 'h', sampleRate, tags, false);
}

/** Records a value in a distribution (`d`). */
export function distribution(name, value, sampleRate = 1, tags = '') {
  sendNumber(name, value, 'd', sampleRate, tags, false);
}

/** Counts `value` among a set's unique members (`s`). */
export function set(name, value, sampleRate = 1, tags = '') {
  const s = text(value);
  if (s !== undefined) sendLine(name, s.replace(/[|\n]/g, '_'), 's', sampleRate, tags);
}

function thenOf(value) {
  try {
    const isObject = value !== null && (typeof value === 'object' || typeof value === 'function');
    const then = isObject ? value.then : undefined;
    return typeof then === 'function' ? then : undefined;
  } catch (_) {
    return undefined;
  }
}

// The error's kind, as OpenTelemetry's error.type: the Error's name, else _OTHER.
function errorType(err) {
  try {
    const name = err !== null && (typeof err === 'object' || typeof err === 'function') ? err.name : undefined;
    return typeof name === 'string' && name !== '' ? tagPart(name, false) : '_OTHER';
  } catch (_) {
    return '_OTHER';
  }
}

/**
 * Runs `fn` inside a span and closes it however `fn` ends: return, throw, or — when `fn`
 * returns a promise — settlement. A failed span is tagged `error.type:<Error name>` and gets
 * the error's text as an ERROR log; the error is rethrown unchanged. Spans opened inside `fn`
 * and left open are closed with it. The Observe span stack is one stack: async spans that
 * overlap in time nest by start order, not by caller.
 */
export function withSpan(name, fn, tags) {
  const outer = depth;
  // Closes this span and any span fn opened but left open; harmless if fn closed too many.
  const close = () => {
    while (depth > outer) spanExit();
  };
  const fail = (err) => {
    // Spans fn left open first, so the tag and the log land on this span, which failed.
    while (depth > outer + 1) spanExit();
    if (depth === outer + 1) spanTag('error.type', errorType(err));
    log(LogLevel.Error, err);
    close();
    throw err;
  };
  spanEnter(name);
  if (tags !== undefined) spanTags(tags);
  let result;
  try {
    result = fn();
  } catch (err) {
    fail(err);
  }
  const then = thenOf(result);
  if (then === undefined) {
    close();
    return result;
  }
  const onValue = (value) => {
    close();
    return value;
  };
  try {
    return then.call(result, onValue, fail);
  } catch (err) {
    return fail(err);
  }
}

/** Wraps `fn` so every call runs in a span named `name` (default: the function's name). */
export function traced(fn, name) {
  const spanName = name !== undefined ? name : (typeof fn === 'function' && fn.name) || 'anonymous';
  return function tracedFunction(...args) {
    return withSpan(spanName, () => fn.apply(this, args));
  };
}
