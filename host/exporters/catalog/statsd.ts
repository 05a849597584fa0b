import { bool, choice, declare, text } from '../flags.ts';
import { STATSD_DIALECTS, type StatsdOptions } from '../statsd.ts';
import { STATSD_TRACE_TAGS, STATSD_URL } from './shared.ts';

export const statsd = declare<StatsdOptions>({
  summary: 'metrics over UDP to a statsd daemon or DogStatsD (reads DD_DOGSTATSD_URL)',
  flags: {
    'statsd-url': STATSD_URL,
    'statsd-dialect': { type: 'string', arg: '<d>', help: 'statsd or dogstatsd (default statsd)', choices: STATSD_DIALECTS },
    'statsd-trace-tags': STATSD_TRACE_TAGS,
  },
  options: (flags, env) => ({
    env,
    url: text(flags, 'statsd-url'),
    dialect: choice(flags, 'statsd-dialect', STATSD_DIALECTS),
    traceTags: bool(flags, 'statsd-trace-tags'),
  }),
  create: async (options) => new (await import('../statsd.ts')).StatsdExporter(options),
});
