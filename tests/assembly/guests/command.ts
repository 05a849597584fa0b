// The workload as a WASI command: the top level runs from `_start`.
import { run } from "./workload";

run();
