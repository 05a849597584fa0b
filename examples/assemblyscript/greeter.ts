// An AssemblyScript reactor (no _start, exports called by a host) for hosts that load modules
// with @assemblyscript/loader: strings cross the boundary as managed AssemblyScript strings.
// examples/host/loader.ts loads it; build it with the runtime helpers the loader calls:
//
//   cd examples/assemblyscript && npx asc greeter.ts --exportRuntime -o ../../build/greeter.wasm
//
// (From this folder, so that asc does not apply the repository's asconfig.json, a WASI build.)
//
// In your own project, import from "wasm-observe" (or "wasm-observe/assembly").

import { LogLevel, Span, increment, log } from "../../assembly/index";

export function greet(name: string): string {
  const span = Span.enter("greet").tag("name", name);
  if (name.length == 0) {
    span.log(LogLevel.Warn, "no name given");
    name = "stranger";
  }
  log(LogLevel.Info, "greeting " + name);
  increment("greetings");
  span.exit();
  return "Hello, " + name + "!";
}
