// Uses nothing but `log`: the module must import nothing else from the Observe API.
import { LogLevel, log } from "../../../assembly/index";

export function run(): void {
  log(LogLevel.Info, "hello");
}
