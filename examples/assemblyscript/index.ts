// A tiny request handler instrumented with wasm-observe: every request gets a span with tags,
// its parsing and routing get nested spans (@span), and logs and statsd metrics go along.
//
//   npm run build:example          # asc with the @span transform → build/assemblyscript/example.wasm
//   npx wasm-observe run build/assemblyscript/example.wasm -- "GET /health" "POST /echo hi there"
//
// In your own project, import from "wasm-observe/assembly" instead of "../../assembly/index".

import { LogLevel, Span, counter, gauge, increment, log, timing } from "../../assembly/index";
import { parse, route } from "./router";

const DEMO: string[] = ["GET /health", "POST /echo caf\u00e9 au lait", "GET /echo", "GET /nowhere", "garbage"];

function handle(line: string): void {
  const started = performance.now();
  const span = Span.enter("request");
  const req = parse(line);
  if (req == null) {
    span.tag("http.status_code", "400").fail("bad_request").log(LogLevel.Error, "rejected: cannot parse request");
    counter("requests.rejected", 1, 1.0, "reason:parse");
    console.log("400 bad request");
    span.exit();
    return;
  }
  span.tag("http.method", req.method).tag("http.route", req.path);
  const res = route(req);
  span.tag("http.status_code", res.status.toString());
  log(res.status < 400 ? LogLevel.Info : LogLevel.Warn, req.method + " " + req.path + " -> " + res.status.toString());
  console.log(res.status.toString() + " " + res.body);
  increment("requests", 1.0, "method:" + req.method + ",status:" + res.status.toString());
  timing("request.duration", performance.now() - started, 1.0, "route:" + req.path);
  span.exit();
}

const args = process.argv;
const lines = args.length > 1 ? args.slice(1) : DEMO;
const batch = Span.enter("batch");
batch.tag("batch.size", lines.length.toString());
gauge("batch.size", <f64>lines.length);
for (let i = 0; i < lines.length; i++) handle(lines[i]);
batch.exit();
