import { task } from '../../src/index.ts';

/** The empty task of the thread-spawn scenario: measures dispatch, not work. */
export const empty = task('bench.empty', async (_: null) => null);
