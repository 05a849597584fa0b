export declare const MAGIC: readonly [0x00, 0x4f, 0x42, 0x53];
export declare const MAGIC_U32: number;
export declare const VERSION: 1;
export declare const HEADER_SIZE: 11;
export declare const OFFSET_VERSION: 4;
export declare const OFFSET_OP: 5;
export declare const OFFSET_ARG: 6;
export declare const OFFSET_LENGTH: 7;
export declare const OPS: Readonly<{
  'span-enter': 1;
  'span-exit': 2;
  'span-tags': 3;
  log: 4;
  metric: 5;
}>;
export declare const RECORD_FD: 2;
