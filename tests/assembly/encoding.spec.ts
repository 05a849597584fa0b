// The exact bytes and lengths each call hands the host.
import { LogLevel, MetricFormat, SCRATCH_BYTES, log, metric, spanEnter, spanExit, spanTag, spanTags } from "../../assembly/index";
import { LOG, METRIC, SPAN_ENTER, SPAN_EXIT, SPAN_TAGS, ascii, callCount, clearCalls, lastCall } from "./host";

// "é" U+00E9, "日本" U+65E5 U+672C, "😀" U+1F600 (a surrogate pair in AssemblyScript strings).
const E_ACUTE: u8[] = [0xc3, 0xa9];
const NIHON: u8[] = [0xe6, 0x97, 0xa5, 0xe6, 0x9c, 0xac];
const GRIN: u8[] = [0xf0, 0x9f, 0x98, 0x80];

describe("span-enter", () => {
  beforeEach(() => clearCalls());

  it("hands over an ASCII name byte for byte", () => {
    spanEnter("handle-request");
    const c = lastCall();
    expect(c.kind).toBe(SPAN_ENTER);
    expect(c.bytes.length).toBe(14);
    expect(c.bytes).toStrictEqual(ascii("handle-request"));
  });

  it("encodes accents, CJK and emoji as UTF-8", () => {
    spanEnter("caf\u00e9 \u65e5\u672c \ud83d\ude00");
    const want = ascii("caf").concat(E_ACUTE).concat(ascii(" ")).concat(NIHON).concat(ascii(" ")).concat(GRIN);
    expect(lastCall().bytes.length).toBe(3 + 2 + 1 + 6 + 1 + 4);
    expect(lastCall().bytes).toStrictEqual(want);
  });

  it("passes an empty name as length 0", () => {
    spanEnter("");
    expect(lastCall().bytes.length).toBe(0);
  });

  it("span-exit carries nothing", () => {
    spanExit();
    expect(lastCall().kind).toBe(SPAN_EXIT);
    expect(callCount()).toBe(1);
  });
});

describe("strings longer than the scratch buffer", () => {
  beforeEach(() => clearCalls());

  it("sends a name of exactly SCRATCH_BYTES from the scratch buffer", () => {
    spanEnter("a");
    const scratch = lastCall().pointer;
    spanEnter("b".repeat(<i32>SCRATCH_BYTES));
    expect(lastCall().pointer).toBe(scratch);
    expect(lastCall().bytes).toStrictEqual(ascii("b".repeat(<i32>SCRATCH_BYTES)));
  });

  it("sends one byte more from a heap buffer, intact", () => {
    spanEnter("a");
    const scratch = lastCall().pointer;
    const long = "x".repeat(<i32>SCRATCH_BYTES + 1);
    log(LogLevel.Warn, long);
    expect(lastCall().pointer).not.toBe(scratch);
    expect(lastCall().bytes.length).toBe(<i32>SCRATCH_BYTES + 1);
    expect(lastCall().bytes).toStrictEqual(ascii(long));
  });

  it("keeps a multi-byte character whole across the boundary", () => {
    const head = "y".repeat(<i32>SCRATCH_BYTES - 1);
    metric(MetricFormat.Statsd, head + "\u00e9");
    expect(lastCall().bytes.length).toBe(<i32>SCRATCH_BYTES + 1);
    expect(lastCall().bytes).toStrictEqual(ascii(head).concat(E_ACUTE));
  });

  it("spills a long emoji string (3 KiB+) without losing a byte", () => {
    const text = "\ud83d\ude00".repeat(1000);
    spanTags(text);
    expect(lastCall().bytes.length).toBe(4000);
    for (let i = 0; i < 4000; i += 4) {
      expect(lastCall().bytes.slice(i, i + 4)).toStrictEqual(GRIN);
    }
  });
});

describe("log and metric", () => {
  beforeEach(() => clearCalls());

  it("log passes the level number and the message", () => {
    log(LogLevel.Debug, "r\u00e9sum\u00e9");
    const c = lastCall();
    expect(c.kind).toBe(LOG);
    expect(c.number).toBe(4);
    expect(c.bytes).toStrictEqual(ascii("r").concat(E_ACUTE).concat(ascii("sum")).concat(E_ACUTE));
  });

  it("metric passes the format number and the payload as given", () => {
    metric(MetricFormat.Statsd, "ok:aaaaa");
    expect(lastCall().kind).toBe(METRIC);
    expect(lastCall().number).toBe(1);
    expect(lastCall().bytes).toStrictEqual(ascii("ok:aaaaa"));
  });
});

describe("span-tags", () => {
  beforeEach(() => clearCalls());

  it("passes a tag string unchanged", () => {
    spanTags("user:42,region:eu");
    expect(lastCall().kind).toBe(SPAN_TAGS);
    expect(lastCall().bytes).toStrictEqual(ascii("user:42,region:eu"));
  });

  it("joins an array of tags with commas", () => {
    spanTags(["user:42", "city:K\u00f8benhavn", "x:1"]);
    expect(lastCall().text).toBe("user:42,city:K\u00f8benhavn,x:1");
    expect(lastCall().bytes.length).toBe(7 + 1 + 15 + 1 + 3);
  });

  it("joins a StaticArray too, and sends an empty array as no bytes", () => {
    spanTags<StaticArray<string>>(["a:1", "b:2"]);
    expect(lastCall().text).toBe("a:1,b:2");
    spanTags<string[]>([]);
    expect(lastCall().bytes.length).toBe(0);
  });

  it("joins tags longer than the scratch buffer into one heap buffer", () => {
    const tags = new Array<string>(100);
    for (let i = 0; i < 100; i++) tags[i] = "key" + i.toString() + ":" + "v".repeat(20);
    spanTags(tags);
    expect(lastCall().text).toBe(tags.join(","));
    expect(lastCall().bytes.length).toBeGreaterThan(<i32>SCRATCH_BYTES);
  });

  it("spanTag writes one key:value pair", () => {
    spanTag("method", "GET");
    expect(lastCall().bytes).toStrictEqual(ascii("method:GET"));
  });
});
