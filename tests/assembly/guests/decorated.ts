// @span on each kind of declaration the transform rewrites, for tests/assemblyscript/transform.test.ts.
import { LogLevel, log } from "../../../assembly/index";

/** Returns from inside a loop: the span must close there too. */
@span
export function firstOver(limit: i32, values: StaticArray<i32>): i32 {
  for (let i = 0; i < values.length; i++) {
    if (values[i] > limit) return values[i];
  }
  return -1;
}

/** A name of its own, and a default the wrapper must pass on to the body. */
@span("custom.name")
function withDefault(n: i32, k: i32 = 3): i32 {
  log(LogLevel.Info, "k=" + k.toString());
  return n + k;
}

class Handler {
  @span
  static make(): Handler {
    return new Handler();
  }

  @span
  handle(text: string): void {
    log(LogLevel.Debug, text);
  }
}

namespace ns {
  @span
  export function identity<T>(value: T): T {
    return value;
  }
}

export function run(): i32 {
  Handler.make().handle("h\u00e9");
  return firstOver(2, [1, 5, 9]) + withDefault(1) + ns.identity<i32>(10);
}
