/**
 * One span. While open it collects tags, events, memory growth, and the finished items it holds
 * back while the filter has not yet decided to keep it; once closed it is the exported span
 * itself, an OpenTelemetry `ReadableSpan` (no copy is made). Per-span limits (the OpenTelemetry
 * defaults) keep a span that stays open for a whole run bounded.
 */
import { SpanKind, SpanStatusCode, type Attributes, type AttributeValue, type HrTime, type Link, type SpanContext, type SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { WASM_PAGE_BYTES } from '../abi/spec.ts';
import { addTag, type Tag } from './tags.ts';
import type { OpenSpan } from './open-spans.ts';
import { hrTime, OK_STATUS, SpanRef, type Held } from './records.ts';
import { spanIdWord } from './ids.ts';
import { ATTR } from './vocabulary.ts';

const MAX_ATTRIBUTES = 128;
const NO_ATTRIBUTES: Attributes = Object.freeze({});
const MAX_EVENTS = 128;

/** What the frames of one trace share. */
export interface TraceContext {
  readonly traceId: string;
  /** The name of a function index (from the module's name section, demangled). */
  readonly functionName: (index: number) => string;
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
}

const NO_LINKS: Link[] = [];
/** Shared by every span without events; nothing writes to it. */
const NO_EVENTS: TimedEvent[] = Object.freeze([]) as unknown as TimedEvent[];

export class Frame implements OpenSpan, ReadableSpan {
  /** While open: the open span it hangs under. */
  parent: Frame | undefined;
  /** Once delivered: the nearest ancestor that was kept. */
  parentRef: SpanRef | undefined;
  /** Set when the span closes. */
  attributes: Attributes = NO_ATTRIBUTES;
  status: SpanStatus = OK_STATUS;
  private end = 0;
  /** Decided by the filter; manual spans and the invocation are always kept. */
  kept: boolean;
  /**
   * The guest's tags, made on the first one (most function spans have none). Keys are guest text:
   * the map has no prototype, so `__proto__` or `constructor` are plain keys.
   */
  tags: Record<string, AttributeValue> | undefined;
  private attributeCount = 0;
  droppedAttributes = 0;
  /** Span events, made on the first one. */
  private eventList: TimedEvent[] | undefined;
  droppedEvents = 0;
  allocationPages = 0;
  /** Still open when its function returned or the invocation ended. */
  unclosed = false;
  /** Why the guest failed the span (`error.type:<kind>` or `error:true`); undefined if it did not. */
  failure: string | undefined;
  /** Finished children, logs and metrics waiting for this frame's keep/drop decision. */
  held: Held[] | undefined;

  // Made only when something reads them: most function spans are dropped by the filter, and
  // then never need an id or a name.
  private spanName: string | undefined;
  private spanRef: SpanRef | undefined;

  constructor(
    /** Undefined for a function span: named from its index when first asked. */
    name: string | undefined,
    readonly start: number,
    /** -1 for a manual span and for the invocation. */
    readonly functionIndex: number,
    private readonly trace: TraceContext,
    /** Only for the invocation: the host's parent span, if there is one. */
    private readonly root = false,
    parent?: SpanRef,
  ) {
    this.kept = functionIndex < 0;
    this.spanName = name;
    this.spanRef = parent;
  }

  /**
   * Closes the span: its exported attributes and status are fixed now. A guest that failed it
   * (`error.type`, `error:true`) makes its status ERROR.
   */
  close(end: number, status: SpanStatus): this {
    this.end = end;
    const attributes = this.finalAttributes();
    if (this.failure !== undefined && status.code !== SpanStatusCode.ERROR) {
      const message = attributes[ATTR.errorMessage];
      status = { code: SpanStatusCode.ERROR, message: typeof message === 'string' ? message : this.failure };
    }
    this.attributes = attributes;
    this.status = status;
    return this;
  }

  // ReadableSpan, read by exporters once the span is closed and delivered.
  get kind(): SpanKind {
    return SpanKind.INTERNAL;
  }
  get links(): Link[] {
    return NO_LINKS;
  }
  get ended(): boolean {
    return true;
  }
  get droppedLinksCount(): number {
    return 0;
  }
  get droppedAttributesCount(): number {
    return this.droppedAttributes;
  }
  get droppedEventsCount(): number {
    return this.droppedEvents;
  }
  get events(): TimedEvent[] {
    return this.eventList ?? NO_EVENTS;
  }
  get resource(): Resource {
    return this.trace.resource;
  }
  get instrumentationScope(): InstrumentationScope {
    return this.trace.scope;
  }
  get startTime(): HrTime {
    return hrTime(this.start);
  }
  get endTime(): HrTime {
    return hrTime(this.end);
  }
  get duration(): HrTime {
    return hrTime(this.end - this.start);
  }
  get parentSpanContext(): SpanContext | undefined {
    return this.parentRef?.context;
  }
  spanContext(): SpanContext {
    return this.ref!.context;
  }

  get name(): string {
    return (this.spanName ??= this.trace.functionName(this.functionIndex));
  }

  /** The span's identity; undefined for the invocation when it has no host parent span. */
  get ref(): SpanRef | undefined {
    if (this.root) return this.spanRef;
    return (this.spanRef ??= new SpanRef(this.trace.traceId, spanIdWord(), spanIdWord()));
  }

  tag(tag: Tag): void {
    const tags = (this.tags ??= Object.create(null) as Record<string, AttributeValue>);
    const isNew = !(tag[0] in tags);
    if (isNew && this.attributeCount >= MAX_ATTRIBUTES) this.droppedAttributes++;
    else if (!addTag(tags, tag)) this.droppedAttributes++;
    else {
      if (isNew) this.attributeCount++;
      if (tag[0] === ATTR.errorType || (tag[0] === ATTR.error && tag[1] === 'true')) {
        // A failed span is kept whatever its duration.
        this.failure = tag[0] === ATTR.errorType ? tag[1] : 'error';
        this.kept = true;
      }
    }
  }

  event(event: TimedEvent): void {
    const events = (this.eventList ??= []);
    if (events.length < MAX_EVENTS) events.push(event);
    else this.droppedEvents++;
  }

  /** The exception that ended the span: always recorded, whatever the event limit. */
  exception(event: TimedEvent): void {
    (this.eventList ??= []).push(event);
  }

  /** The attributes as exported: the tags plus what the host knows of the span. */
  finalAttributes(): Attributes {
    const attributes: Attributes = this.tags ?? {};
    if (this.functionIndex >= 0) attributes[ATTR.functionIndex] = this.functionIndex;
    if (this.allocationPages > 0) {
      attributes[ATTR.allocation] = this.allocationPages;
      attributes[ATTR.allocationBytes] = this.allocationPages * WASM_PAGE_BYTES;
    }
    if (this.unclosed) attributes[ATTR.unclosed] = true;
    return attributes;
  }

  /**
   * Takes over what a dropped child held: its tags, events and memory growth. What describes the
   * child itself (unclosed, its dropped counts) stays with it.
   */
  absorb(child: Frame): void {
    const tags = child.tags;
    for (const key in tags) {
      const value = tags[key]!;
      if (Array.isArray(value)) for (const v of value) this.tag([key, String(v)]);
      else this.tag([key, String(value)]);
    }
    if (child.eventList !== undefined) for (const event of child.eventList) this.event(event);
    this.allocationPages += child.allocationPages;
  }
}
