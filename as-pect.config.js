// as-pect: in-guest tests of the AssemblyScript library (assembly/), run with
// `npx asp --config as-pect.config.js --as-config tests/assembly/as-pect.asconfig.json`.
// The specs are built with the stub runtime, which never frees: any allocation moves the heap
// top for good, so allocation.spec.ts can measure heap growth exactly.
import { createRecorder } from './tests/assembly/recorder.js';

export default {
  entries: ['tests/assembly/**/*.spec.ts'],
  include: ['tests/assembly/**/*.include.ts'],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    const recorder = createRecorder();
    const result = instantiate(binary, createImports({ env: { memory }, ...recorder.imports }));
    result.then(({ exports }) => recorder.bind(exports.memory));
    return result;
  },
  outputBinary: false,
};
