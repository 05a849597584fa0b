// Parsing and routing of one request line, `METHOD /path [body]`. Decorated functions get a
// span each from the @span transform; nothing here calls the span API by hand.

import { LogLevel, log, histogram } from "../../assembly/index";

export class Request {
  constructor(public method: string, public path: string, public body: string) {}
}

export class Response {
  constructor(public status: i32, public body: string) {}
}

@span("request.parse")
export function parse(line: string): Request | null {
  const firstSpace = line.indexOf(" ");
  if (firstSpace <= 0) {
    log(LogLevel.Warn, "malformed request line: " + line);
    return null;
  }
  const rest = line.substring(firstSpace + 1);
  const secondSpace = rest.indexOf(" ");
  const path = secondSpace < 0 ? rest : rest.substring(0, secondSpace);
  const body = secondSpace < 0 ? "" : rest.substring(secondSpace + 1);
  histogram("request.body.bytes", <f64>String.UTF8.byteLength(body));
  return new Request(line.substring(0, firstSpace), path, body);
}

@span
export function route(req: Request): Response {
  if (req.path == "/health") return new Response(200, "ok");
  if (req.path.startsWith("/echo")) {
    if (req.method != "POST") return new Response(405, "echo takes POST");
    return new Response(200, wordCount(req.body));
  }
  log(LogLevel.Debug, "no route for " + req.path);
  return new Response(404, "not found");
}

// A body worth a span of its own: words are runs of characters between spaces.
@span
function wordCount(text: string): string {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = text.charCodeAt(i) == 0x20;
    if (!space && !inWord) words++;
    inWord = !space;
  }
  log(LogLevel.Trace, "counted " + words.toString() + " words");
  return words.toString() + " words";
}
