/**
 * The spans a guest has open, in opening order. Two kinds share one tree but not one stack: a
 * manual span (`span-enter`) closes only on `span-exit`, a function span (instrument `enter`) only
 * on its own `exit`, so either kind may close while spans of the other kind opened after it stay
 * open. Those are re-parented to the nearest ancestor still open: a manual span opened by a
 * helper function outlives the helper and hangs under the helper's caller.
 *
 * Pure bookkeeping: no clock, no records. Every operation is O(depth) at worst and O(1) for the
 * usual case, where the span that closes is the innermost one.
 */

/** What the structure needs of a span. */
export interface OpenSpan {
  /** The open span this one will be exported under. Changes when that span closes first. */
  parent: OpenSpan | undefined;
  /** The instrumented function's index; -1 for a manual span. */
  readonly functionIndex: number;
}

export class OpenSpans<S extends OpenSpan> {
  private readonly open: S[] = [];

  /** The invocation: parent of the outermost spans, never closed here. */
  constructor(readonly root: S) {}

  get depth(): number {
    return this.open.length;
  }

  /** The most recently opened span still open, or the root. */
  top(): S {
    // Never index -1: V8 looks a negative index up as a named property, on a slow path.
    const n = this.open.length;
    return n > 0 ? this.open[n - 1]! : this.root;
  }

  /** Opens `span` under the most recently opened span still open. */
  push(span: S): void {
    span.parent = this.top();
    this.open.push(span);
  }

  /** Position of the innermost open manual span, or -1. */
  innermostManual(): number {
    let i = this.open.length - 1;
    while (i >= 0 && this.open[i]!.functionIndex >= 0) i--;
    return i;
  }

  /** Position of the innermost open function span with this index, or -1. */
  innermostFunction(index: number): number {
    let i = this.open.length - 1;
    while (i >= 0 && this.open[i]!.functionIndex !== index) i--;
    return i;
  }

  at(position: number): S {
    return this.open[position]!;
  }

  /** The innermost open manual span, or else the innermost span (or the root). */
  manualOrTop(): S {
    const i = this.innermostManual();
    return i >= 0 ? this.open[i]! : this.top();
  }

  /**
   * Closes the span at `position`: spans opened under it and still open move to its parent, which
   * is open (a span's parent always is).
   */
  remove(position: number): S {
    const span = this.open[position]!;
    if (position === this.open.length - 1) this.open.pop();
    else {
      this.open.splice(position, 1);
      for (let i = position; i < this.open.length; i++) {
        const above = this.open[i]!;
        if (above.parent === span) above.parent = span.parent;
      }
    }
    return span;
  }
}
