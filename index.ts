// AssemblyScript entry for `import { Span } from "wasm-observe"`: asc resolves a package import to
// `node_modules/<package>/index.ts` (it ignores package.json), so this file makes the short form
// work. It is the same library as "wasm-observe/assembly". TypeScript never reads it: package.json's
// `types` and `exports` send TypeScript to the host API in dist/.
export * from "./assembly/index";
