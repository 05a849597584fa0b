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
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { GuestMetric, TraceSummary } from '../trace/model.ts';
import type { StatsdPoint } from '../trace/statsd.ts';
import { tagText } from '../trace/tags.ts';
import type { ExportStats, TelemetryExporter } from './exporter.ts';
import { errorText } from './retry.ts';

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
  /** Default 1000 ms; lines are also sent when a trace ends. */
  flushIntervalMs?: number;
  /** Lines waiting at most; more are dropped. Default 10 000. */
  maxQueuedLines?: number;
  /** Where to read DD_DOGSTATSD_URL. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

export const DEFAULT_STATSD_URL = 'udp://127.0.0.1:8125';

export class StatsdExporter implements TelemetryExporter {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  private readonly dialect: StatsdDialect;
  private readonly prefix: string;
  private readonly constantTags: string[];
  private readonly traceTags: boolean;
  private readonly maxPacket: number;
  private readonly maxQueued: number;
  private readonly timer: NodeJS.Timeout;
  private lines: string[] = [];
  private socket: Promise<Socket> | undefined;
  private sends = new Set<Promise<void>>();
  /** Line counts of the last packets sent, oldest first, for the refusals UDP reports later. */
  private recent: number[] = [];
  private readonly counts: ExportStats = { exported: 0, dropped: 0 };
  private closed = false;

  constructor(options: StatsdOptions = {}, name = 'statsd') {
    this.name = name;
    const env = options.env ?? process.env;
    const url = new URL(options.url ?? env.DD_DOGSTATSD_URL ?? DEFAULT_STATSD_URL);
    if (url.protocol !== 'udp:') throw new Error(`statsd URL must be udp://host:port, not ${url.href}`);
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(url.port || 8125);
    this.dialect = options.dialect ?? 'statsd';
    this.prefix = options.prefix ? `${options.prefix}.` : '';
    this.constantTags = this.dialect === 'dogstatsd' ? (options.tags ?? []) : [];
    this.traceTags = options.traceTags ?? this.dialect === 'dogstatsd';
    this.maxPacket = options.maxPacketBytes ?? 1432;
    this.maxQueued = options.maxQueuedLines ?? 10_000;
    this.timer = setInterval(() => this.flushLines(), options.flushIntervalMs ?? 1000).unref();
  }

  onSpan(_span: ReadableSpan): void {}
  onLog(_record: ReadableLogRecord): void {}

  onMetric(metric: GuestMetric): void {
    if (this.closed || this.lines.length >= this.maxQueued) {
      this.counts.dropped++;
      return;
    }
    this.lines.push(this.format(metric));
  }

  onTraceEnd(_summary: TraceSummary): void {
    this.flushLines();
  }

  async forceFlush(): Promise<void> {
    this.flushLines();
    await Promise.all(this.sends);
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    await this.forceFlush();
    this.closed = true;
    clearInterval(this.timer);
    const socket = await this.socket?.catch(() => undefined);
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  stats(): ExportStats {
    return { ...this.counts };
  }

  /** One statsd line for one point. */
  format({ point, spanContext }: GuestMetric): string {
    const type = this.dialect === 'statsd' && (point.type === 'h' || point.type === 'd') ? 'ms' : point.type;
    let line = `${this.prefix}${point.name}:${value(point)}|${type}`;
    if (point.sampleRate < 1) line += `|@${point.sampleRate}`;
    const tags = point.tags.map(tagText);
    tags.push(...this.constantTags);
    if (this.traceTags && spanContext) tags.push(`trace_id:${spanContext.traceId}`, `span_id:${spanContext.spanId}`);
    if (tags.length > 0) line += `|#${tags.map(clean).join(',')}`;
    return line;
  }

  /** Packs the queued lines into packets and sends them. */
  private flushLines(): void {
    if (this.lines.length === 0) return;
    const lines = this.lines;
    this.lines = [];
    let packet = '';
    let count = 0;
    for (const line of lines) {
      if (packet !== '' && Buffer.byteLength(packet) + 1 + Buffer.byteLength(line) > this.maxPacket) {
        this.send(packet, count);
        packet = '';
        count = 0;
      }
      packet = packet === '' ? line : `${packet}\n${line}`;
      count++;
    }
    this.send(packet, count);
  }

  private send(packet: string, lines: number): void {
    const sent = this.connect()
      .then(
        (socket) =>
          new Promise<void>((resolve, reject) => socket.send(packet, (err) => (err ? reject(err) : resolve()))),
      )
      .then(
        () => {
          this.counts.exported += lines;
          this.recent.push(lines);
          if (this.recent.length > 64) this.recent.shift();
        },
        (err: unknown) => {
          this.counts.dropped += lines;
          this.counts.lastError = errorText(err);
        },
      );
    this.sends.add(sent);
    void sent.finally(() => this.sends.delete(sent));
  }

  private connect(): Promise<Socket> {
    return (this.socket ??= new Promise<Socket>((resolve, reject) => {
      const socket = createSocket(this.host.includes(':') ? 'udp6' : 'udp4');
      socket.on('error', (err: NodeJS.ErrnoException) => {
        this.counts.lastError = err.message;
        // A connected UDP socket hears of a missing daemon (ICMP port unreachable) after the
        // send, once per refused packet: that packet was not delivered after all.
        const lines = err.code === 'ECONNREFUSED' ? this.recent.shift() : undefined;
        if (lines === undefined) return;
        this.counts.exported -= lines;
        this.counts.dropped += lines;
      });
      socket.connect(this.port, this.host, () => {
        socket.unref();
        resolve(socket);
      });
      socket.once('error', reject);
      // Reading is what surfaces the refusals; nothing is expected to arrive.
      socket.on('message', () => {});
    }));
  }
}

function value(point: StatsdPoint): string {
  if (point.member !== undefined) return point.member;
  if (point.delta && point.value >= 0) return `+${point.value}`;
  return String(point.value);
}

/** Tag text may not contain the separators of the line format. */
function clean(tag: string): string {
  return tag.replace(/[|,\n#]/g, '_');
}
