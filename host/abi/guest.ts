/**
 * One guest's side of the ABI: its Observe imports, reading from its memory, handing events to a
 * sink. Binding happens at instantiation: an imported memory is bound first; with an exported
 * one, calls a start function makes are held and replayed as soon as the memory exists.
 */
import { createImports, type ClockMode, type ObserveImports } from './imports.ts';
import { GuestMemory } from './memory.ts';
import type { EventSink } from '../events.ts';

export interface GuestBindingOptions {
  /** Longest string read from the guest; longer ones are truncated and counted. Default 64 KiB. */
  maxStringBytes?: number;
  clock?: ClockMode;
}

export class GuestBinding {
  private readonly memory: GuestMemory;
  private readonly abi: ObserveImports;

  constructor(sink: EventSink, options: GuestBindingOptions = {}) {
    this.memory = new GuestMemory(options.maxStringBytes ?? 64 * 1024);
    this.abi = createImports(this.memory, sink, options.clock);
  }

  /** The Observe imports for every namespace (current, legacy, instrument). */
  get imports(): WebAssembly.Imports {
    return this.abi.imports;
  }

  /** Binds to the guest's memory: the instance's exported `memory`, or a memory given directly. */
  bind(target: WebAssembly.Instance | WebAssembly.Memory): void {
    const memory =
      target instanceof WebAssembly.Memory
        ? target
        : Object.values(target.exports).find((e): e is WebAssembly.Memory => e instanceof WebAssembly.Memory);
    if (memory !== undefined) this.memory.bind(memory);
    this.abi.replay();
  }

  /** Instantiates `module` with `imports` (which include the Observe imports) and binds to it. */
  async instantiate(module: WebAssembly.Module, imports: WebAssembly.Imports): Promise<WebAssembly.Instance> {
    const imported = WebAssembly.Module.imports(module)
      .filter((imp) => imp.kind === 'memory')
      .map((imp) => imports[imp.module]?.[imp.name])
      .find((value): value is WebAssembly.Memory => value instanceof WebAssembly.Memory);
    if (imported !== undefined) this.bind(imported);
    else this.abi.defer();
    let instance: WebAssembly.Instance;
    try {
      instance = await WebAssembly.instantiate(module, imports);
    } catch (err) {
      this.abi.replay();
      throw err;
    }
    this.bind(instance);
    return instance;
  }

  /** A trace starts at `time` (the coarse clock's time before the first span event). */
  startAt(time: number): void {
    this.abi.startAt(time);
  }
}
