// The host functions of `dylibso:observe/api`. AssemblyScript emits an import only for the
// functions a program calls, so a module that only logs imports only `log`.

// @ts-ignore: decorator
@external("dylibso:observe/api", "span-enter")
export declare function span_enter(ptr: usize, len: usize): void;

// @ts-ignore: decorator
@external("dylibso:observe/api", "span-exit")
export declare function span_exit(): void;

// @ts-ignore: decorator
@external("dylibso:observe/api", "span-tags")
export declare function span_tags(ptr: usize, len: usize): void;

// @ts-ignore: decorator
@external("dylibso:observe/api", "log")
export declare function log(level: i32, ptr: usize, len: usize): void;

// @ts-ignore: decorator
@external("dylibso:observe/api", "metric")
export declare function metric(format: i32, ptr: usize, len: usize): void;
