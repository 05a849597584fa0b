// The Span handle: enter → tag/log → exit, and closing what was left open inside.
import { LogLevel, Span, openSpans, spanEnter, spanExit } from "../../assembly/index";
import { LOG, SPAN_ENTER, SPAN_EXIT, SPAN_TAGS, call, callCount, clearCalls } from "./host";

function closeAll(): void {
  while (openSpans() > 0) spanExit();
}

describe("Span", () => {
  beforeEach(() => {
    closeAll();
    clearCalls();
  });

  it("enters, tags, logs and exits in order", () => {
    const s = Span.enter("parse");
    s.tag("format", "json").tags(["a:1", "b:2"]).log(LogLevel.Info, "parsed");
    s.exit();
    expect(callCount()).toBe(5);
    expect(call(0).kind).toBe(SPAN_ENTER);
    expect(call(0).text).toBe("parse");
    expect(call(1).kind).toBe(SPAN_TAGS);
    expect(call(1).text).toBe("format:json");
    expect(call(2).text).toBe("a:1,b:2");
    expect(call(3).kind).toBe(LOG);
    expect(call(3).number).toBe(3);
    expect(call(4).kind).toBe(SPAN_EXIT);
    expect(openSpans()).toBe(0);
  });

  it("fails a span with an error.type tag", () => {
    const s = Span.enter("fetch");
    s.fail("timeout").log(LogLevel.Error, "no answer in 5 s");
    s.exit();
    expect(call(1).kind).toBe(SPAN_TAGS);
    expect(call(1).text).toBe("error.type:timeout");
    expect(call(2).kind).toBe(LOG);
    expect(call(2).number).toBe(1);
  });

  it("numbers nested handles by depth", () => {
    const outer = Span.enter("outer");
    const inner = Span.enter("inner");
    expect(outer.depth).toBe(1);
    expect(inner.depth).toBe(2);
    inner.exit();
    expect(openSpans()).toBe(1);
    outer.exit();
    expect(openSpans()).toBe(0);
  });

  it("closes spans left open inside it, innermost first", () => {
    const outer = Span.enter("outer");
    Span.enter("forgotten");
    spanEnter("raw");
    clearCalls();
    outer.exit();
    expect(callCount()).toBe(3);
    for (let i = 0; i < 3; i++) expect(call(i).kind).toBe(SPAN_EXIT);
    expect(openSpans()).toBe(0);
  });

  it("exiting twice does not close the caller's span", () => {
    const parent = Span.enter("parent");
    const child = Span.enter("child");
    child.exit();
    clearCalls();
    child.exit();
    expect(callCount()).toBe(0);
    expect(openSpans()).toBe(1);
    parent.exit();
  });
});
