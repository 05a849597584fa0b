import { declare } from '../flags.ts';

export const stdout = declare({
  summary: 'a tree per trace on stderr, coloured on a terminal',
  options: () => ({}),
  create: async () => new (await import('../stdout.ts')).StdoutExporter(),
});

export const none = declare({
  summary: 'nothing (the guest still runs under the host)',
  options: () => undefined,
  create: async () => undefined,
});
