/**
 * Making a call and recording how it ended, the same way for the drivers and for the run's own
 * calls (destroys, final reads): acknowledged with its value, failed with the error reply's code,
 * or in doubt when the client gave up (lost connection, timeout) or the call outlived `cutoff`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { RemoteError, SkeinError } from '../../src/index.ts';
import { now, type HistoryWriter, type OpRecord } from './history.ts';

/** What a call is, as recorded (everything but its timing and outcome). */
export type CallInfo = Pick<OpRecord, 'client' | 'object' | 'key' | 'field' | 'f' | 'arg' | 'final'>;

/**
 * Runs `run`, writes its record to `history` and answers it. A call not ended by `cutoff`
 * (monotonic ms, see {@link now}) is recorded in doubt and left behind. Errors that are not
 * Skein's (a bug of the caller) are thrown.
 */
export async function recordCall(history: HistoryWriter, info: CallInfo, run: () => Promise<unknown>, cutoff = Number.POSITIVE_INFINITY): Promise<OpRecord> {
  const invoked = now();
  const giveUp = new AbortController();
  const late = Number.isFinite(cutoff)
    ? delay(Math.max(0, cutoff - invoked), 'late' as const, { signal: giveUp.signal }).catch(() => 'aborted' as const)
    : new Promise<never>(() => undefined);
  let record: OpRecord;
  try {
    const result = await Promise.race([run().then((value) => ({ value })), late]);
    record =
      typeof result === 'object'
        ? { type: 'op', ...info, invoked, returned: now(), outcome: 'ok', value: result.value }
        : { type: 'op', ...info, invoked, returned: null, outcome: 'unknown' };
  } catch (err) {
    if (!(err instanceof SkeinError)) throw err;
    record =
      err.code === 'ECLOSED' || err.code === 'ETIMEOUT'
        ? { type: 'op', ...info, invoked, returned: null, outcome: 'unknown' }
        : { type: 'op', ...info, invoked, returned: now(), outcome: 'failed', code: err instanceof RemoteError ? `${err.code}/${err.remoteName}` : err.code };
  } finally {
    giveUp.abort();
  }
  history.write(record);
  return record;
}
