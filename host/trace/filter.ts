/**
 * The keep/drop rule. A function span shorter than the threshold is dropped; manual spans, failed
 * spans and the invocation are always kept. What a dropped span held (logs, metrics, tags, memory
 * growth, kept children) moves to its parent. A function span is known to be kept as soon as it has
 * lasted the threshold, so items are held back only during a span's first microseconds (or until
 * `maxHeld` of them are waiting): memory stays bounded however long the guest runs.
 */
import type { Frame } from './frame.ts';
import type { Held } from './records.ts';

export class KeepFilter {
  constructor(
    /** Milliseconds. */
    private readonly minDuration: number,
    private readonly maxHeld: number,
    /** Hands on an item whose owner is kept. */
    private readonly deliver: (item: Held, owner: Frame) => void,
  ) {}

  /** Puts a finished item under `frame`: delivered if the frame is kept, else held there. */
  place(item: Held, frame: Frame, time: number): void {
    if (this.isKept(frame, time)) {
      this.deliver(item, frame);
      return;
    }
    (frame.held ??= []).push(item);
    if (frame.held.length >= this.maxHeld) this.keep(frame);
  }

  /**
   * Decides a closing frame under its (open) parent. Returns true when it is kept (its held items
   * are delivered); when it is dropped, the parent takes over its contents and returns false.
   */
  settle(frame: Frame, parent: Frame, time: number, force: boolean): boolean {
    if (force || this.isKept(frame, time)) {
      this.keep(frame);
      return true;
    }
    parent.absorb(frame);
    if (frame.held) for (const item of frame.held) this.place(item, parent, time);
    return false;
  }

  private isKept(frame: Frame, time: number): boolean {
    if (frame.kept) {
      if (frame.held !== undefined) this.release(frame);
      return true;
    }
    if (time - frame.start < this.minDuration) return false;
    this.keep(frame);
    return true;
  }

  private keep(frame: Frame): void {
    frame.kept = true;
    if (frame.held !== undefined) this.release(frame);
  }

  private release(frame: Frame): void {
    const held = frame.held!;
    frame.held = undefined;
    for (const item of held) this.deliver(item, frame);
  }
}
