/**
 * statsd / DogStatsD line parsing for `metric` format 1:
 * `name:value|type[|@rate][|#tag:v,tag2:v2][|c:container][|T<unix seconds>]`.
 * A payload may hold several lines separated by `\n`. A line that does not parse is returned as
 * `unparsed` with its raw text so the caller can keep it.
 */
import { STATSD_TYPES, type StatsdType } from '../abi/spec.ts';
import { parseTags, type Tag } from './tags.ts';

export interface StatsdPoint {
  readonly name: string;
  readonly type: StatsdType;
  /** The number sent; for a set (`s`), the member as text in `member`. */
  readonly value: number;
  readonly member: string | undefined;
  /** A gauge sent as `+n` / `-n` changes the current value instead of setting it. */
  readonly delta: boolean;
  readonly sampleRate: number;
  readonly tags: readonly Tag[];
  /** The line exactly as the guest sent it (forwarded as-is to statsd daemons). */
  readonly raw: string;
}

function point(
  name: string,
  type: StatsdType,
  value: number,
  member: string | undefined,
  delta: boolean,
  sampleRate: number,
  tags: readonly Tag[],
  raw: string,
): StatsdPoint {
  return { name, type, value, member, delta, sampleRate, tags, raw };
}

/** One line: its points (DogStatsD lets `name:1:2:3|d` carry several values), or why it failed. */
export type StatsdLine =
  | { ok: true; points: StatsdPoint[] }
  | { ok: false; raw: string; reason: string };

const TYPES: ReadonlySet<string> = new Set(STATSD_TYPES);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Guests send the same lines again and again; parsed results are immutable, so reuse them. */
const cache = new Map<string, StatsdLine[]>();
const CACHE_SIZE = 1024;

export function parseStatsd(payload: string): StatsdLine[] {
  let lines = cache.get(payload);
  if (lines === undefined) {
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(payload, (lines = parsePayload(payload)));
  }
  return lines;
}

function parsePayload(payload: string): StatsdLine[] {
  const lines: StatsdLine[] = [];
  for (const line of payload.split('\n')) {
    const raw = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (raw.trim() === '') continue;
    lines.push(parseLine(raw));
  }
  return lines;
}

function parseLine(raw: string): StatsdLine {
  const fields = raw.split('|');
  const head = fields[0]!;
  const colon = head.indexOf(':');
  if (colon <= 0) return { ok: false, raw, reason: 'expected name:value' };
  const name = head.slice(0, colon);
  const values = head.slice(colon + 1).split(':');
  const type = fields[1];
  if (type === undefined) return { ok: false, raw, reason: 'missing |type' };
  if (!TYPES.has(type)) return { ok: false, raw, reason: `unknown type '${type}'` };
  let sampleRate = 1;
  let tags: Tag[] = [];
  for (const field of fields.slice(2)) {
    if (field.startsWith('@')) {
      sampleRate = Number(field.slice(1));
      if (!(sampleRate > 0 && sampleRate <= 1)) return { ok: false, raw, reason: `bad sample rate '${field}'` };
    } else if (field.startsWith('#')) {
      tags = parseTags(field.slice(1));
    } else if (!(field.startsWith('c:') || field.startsWith('T') || field === '')) {
      return { ok: false, raw, reason: `unknown field '${field}'` };
    }
  }
  const statsdType = type as StatsdType;
  const points: StatsdPoint[] = [];
  for (const text of values) {
    if (statsdType === 's') {
      if (text === '') return { ok: false, raw, reason: 'empty set member' };
      points.push(point(name, statsdType, 1, text, false, sampleRate, tags, raw));
      continue;
    }
    if (!NUMBER.test(text)) return { ok: false, raw, reason: `value '${text}' is not a number` };
    const delta = statsdType === 'g' && (text.startsWith('+') || text.startsWith('-'));
    points.push(point(name, statsdType, Number(text), undefined, delta, sampleRate, tags, raw));
  }
  return { ok: true, points };
}
