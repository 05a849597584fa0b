import type { Transform } from 'assemblyscript/transform';

/** The `@span` transform, for asc's `transforms` option or an asconfig "transform" entry. */
export default class SpanTransform extends Transform {}
