/**
 * Retry with exponential backoff and jitter, the policy OpenTelemetry's OTLP exporters use
 * (5 retries, 1 s growing ×1.5 to 5 s, ±20 % jitter). At shutdown the export timeout bounds it:
 * no retry starts that would begin after the time the delivery layer gives up, and `settlesBy`
 * is how the delivery layer and the Observer wait no longer than a deadline.
 */

export interface RetryPolicy {
  /** Retries after the first attempt. Default 5. */
  retries?: number;
  /** Default 1000 ms. */
  initialBackoffMs?: number;
  /** Default 5000 ms. */
  maxBackoffMs?: number;
  /** Give up when the next attempt would start after this many ms from the first. Default: no limit but the shutdown's. */
  deadlineMs?: number;
}

/** A failure that says whether trying again can help, and when (an HTTP Retry-After). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Runs `attempt` until it succeeds, fails for good, or the policy runs out; rethrows the last error. */
export async function withRetry<T>(attempt: () => Promise<T>, policy: RetryPolicy = {}, giveUpAt: () => number = () => Infinity): Promise<T> {
  const retries = policy.retries ?? 5;
  const maxBackoff = policy.maxBackoffMs ?? 5000;
  const deadline = Date.now() + (policy.deadlineMs ?? Infinity);
  let backoff = policy.initialBackoffMs ?? 1000;
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const retryable = !(err instanceof DeliveryError) || err.retryable;
      if (!retryable || n >= retries) throw err;
      const jittered = Math.min(backoff * (1 + (Math.random() * 0.4 - 0.2)), maxBackoff);
      const wait = err instanceof DeliveryError && err.retryAfterMs !== undefined ? err.retryAfterMs : jittered;
      if (Date.now() + wait > Math.min(deadline, giveUpAt())) throw err;
      backoff *= 1.5;
      await sleep(wait);
    }
  }
}

/** Not unref'd: a flush or shutdown awaiting a retry must keep the process alive until it ends. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `work` settles by `deadline` (epoch ms); it is not waited for past it. */
export async function settlesBy(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => {
    if (deadline < Infinity) timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  const settled = await Promise.race([work.then(() => true), late]);
  clearTimeout(timer);
  return settled;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
