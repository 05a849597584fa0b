/**
 * `statsd`: the guest's metrics, forwarded over UDP to a statsd daemon (Etsy statsd, Telegraf,
 * the Datadog agent's DogStatsD). Each point is re-written as one line — so a line the host
 * could not parse is never forwarded, and tags can be added — and lines are packed into packets
 * no larger than one Ethernet MTU.
 *
 * | dialect     | types sent                     | tags                                             |
 * |-------------|--------------------------------|--------------------------------------------------|
 * | `statsd`    | c, g (±delta), s, ms (h, d → ms: Etsy statsd counts unknown types) | guest tags as `|#k:v` (Etsy 0.9 folds them into the key) |
 * | `dogstatsd` | c, g, s, ms, h, d              | guest tags, constant tags, and `trace_id`/`span_id` of the guest span |
 *
 * Trace ids as tags make one series per trace (a cost in Datadog): `traceTags: false` turns them off.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { GuestMetric } from '../trace/model.ts';
import { tagText } from '../trace/tags.ts';
import { ID_KEY } from '../trace/vocabulary.ts';
import { Delivery, Tally, type BatchOptions, type Destination, type Route } from './delivery.ts';
import { errorText } from './retry.ts';
import { pointValue } from './conversions.ts';

export const STATSD_DIALECTS = ['statsd', 'dogstatsd'] as const;
export type StatsdDialect = (typeof STATSD_DIALECTS)[number];

export interface StatsdOptions {
  /** `udp://host:port`. Default: DD_DOGSTATSD_URL, else `udp://127.0.0.1:8125`. */
  url?: string;
  dialect?: StatsdDialect;
  /** Prepended to every metric name, with a dot. */
  prefix?: string;
  /** Constant tags on every line (`env:prod`), dogstatsd only. */
  tags?: string[];
  /** Add `trace_id`/`span_id` tags. Default: on for dogstatsd, off for statsd. */
  traceTags?: boolean;
  /** Default 1432 bytes: fits one Ethernet frame with IP and UDP headers. */
  maxPacketBytes?: number;
  /** Lines queued at most (default 10 000) and the longest wait before they are sent (default 1000 ms; also when a trace ends). */
  batch?: BatchOptions;
  /** Where to read DD_DOGSTATSD_URL. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

export const DEFAULT_STATSD_URL = 'udp://127.0.0.1:8125';

export class StatsdExporter extends Delivery {
  readonly host: string;
  readonly port: number;

  constructor(options: StatsdOptions = {}, name = 'statsd') {
    const destination = statsdDestination(options, name);
    super(destination);
    this.host = destination.host;
    this.port = destination.port;
  }
}

/** Metrics as statsd lines, packed into packets and sent over one UDP socket. */
export function statsdDestination(
  options: StatsdOptions,
  name = 'statsd',
  tally = new Tally(),
): Destination & { host: string; port: number; metrics: Route<GuestMetric, string> } {
  const env = options.env ?? process.env;
  const url = new URL(options.url ?? env.DD_DOGSTATSD_URL ?? DEFAULT_STATSD_URL);
  if (url.protocol !== 'udp:') throw new Error(`statsd URL must be udp://host:port, not ${url.href}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 8125);
  const socket = udpSender(host, port, tally);
  const dialect = options.dialect ?? 'statsd';
  const prefix = options.prefix ? `${options.prefix}.` : '';
  const constantTags = dialect === 'dogstatsd' ? (options.tags ?? []) : [];
  const traceTags = options.traceTags ?? dialect === 'dogstatsd';
  /** One statsd line for one point. */
  const line = ({ point, spanContext }: GuestMetric): string => {
    const type = dialect === 'statsd' && (point.type === 'h' || point.type === 'd') ? 'ms' : point.type;
    let text = `${prefix}${point.name}:${pointValue(point)}|${type}`;
    if (point.sampleRate < 1) text += `|@${point.sampleRate}`;
    const tags = [...point.tags.map(tagText), ...constantTags];
    if (traceTags && spanContext) tags.push(`${ID_KEY.traceId}:${spanContext.traceId}`, `${ID_KEY.spanId}:${spanContext.spanId}`);
    return tags.length > 0 ? `${text}|#${tags.map(clean).join(',')}` : text;
  };
  const maxPacket = options.maxPacketBytes ?? 1432;
  return {
    name,
    tally,
    host,
    port,
    metrics: {
      prepare: line,
      send: (lines: string[]) => socket.send(packets(lines, maxPacket)),
      // UDP has no answer to retry on; lines go out as a trace ends and at least every interval.
      retry: false,
      sendAtTraceEnd: true,
      // Everything queued goes out at once, packed into as few packets as it fits.
      batch: { maxQueueSize: 10_000, maxExportBatchSize: Infinity, ...options.batch },
    },
    close: () => socket.close(),
  };
}

/** Lines packed into packets of at most `maxPacket` bytes, as the lines of each packet. */
function packets(lines: string[], maxPacket: number): string[][] {
  const out: string[][] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line);
    const packet = out.at(-1);
    if (packet !== undefined && bytes + 1 + size <= maxPacket) {
      packet.push(line);
      bytes += 1 + size;
    } else {
      out.push([line]);
      bytes = size;
    }
  }
  return out;
}

/**
 * Packets over one UDP socket, connected at the first send. A missing daemon is heard of (ICMP
 * port unreachable) only after a send the delivery layer counted as exported, once per refused
 * packet: those lines move from exported to dropped in the tally.
 */
function udpSender(host: string, port: number, tally: Tally) {
  let connected: Promise<Socket> | undefined;
  /** Line counts of the last packets sent, oldest first, for the refusals UDP reports later. */
  const recent: number[] = [];
  const lost = (lines: number, reason: string) => {
    tally.exported -= lines;
    tally.drop(lines, reason);
  };
  const connect = () =>
    (connected ??= new Promise<Socket>((resolve, reject) => {
      const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      socket.on('error', (err: NodeJS.ErrnoException) => lost(err.code === 'ECONNREFUSED' ? (recent.shift() ?? 0) : 0, err.message));
      socket.connect(port, host, () => resolve(socket.unref()));
      socket.once('error', reject);
      // Reading is what surfaces the refusals; nothing is expected to arrive.
      socket.on('message', () => {});
    }));
  return {
    /** Sends every packet; never rejects (the lines of a packet that fails are moved to the dropped count). */
    async send(packets: string[][]): Promise<void> {
      for (const lines of packets) {
        try {
          const socket = await connect();
          await new Promise<void>((resolve, reject) => socket.send(lines.join('\n'), (err) => (err ? reject(err) : resolve())));
          if (recent.push(lines.length) > 64) recent.shift();
        } catch (err) {
          lost(lines.length, errorText(err));
        }
      }
    },
    async close(): Promise<void> {
      const socket = await connected?.catch(() => undefined);
      if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

/** Tag text may not contain the separators of the line format. */
function clean(tag: string): string {
  return tag.replace(/[|,\n#]/g, '_');
}
