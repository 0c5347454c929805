/**
 * Waits before retry `attempt` (0 for the first) of an invocation that did not run. The wait is
 * the server's `Retry-After` when it gave one (capped at 30 s); otherwise full jitter, a random
 * wait up to 100 ms * 2^attempt (capped at 5 s), so a crowd of throttled threads does not come
 * back in step.
 */
export function backoff(attempt: number, retryAfterMs?: number): Promise<void> {
  const ms = retryAfterMs !== undefined && retryAfterMs > 0 ? Math.min(retryAfterMs, 30_000) : Math.random() * Math.min(5000, 100 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
