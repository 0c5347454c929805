import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { BadSettingError, envInt, envNumber } from '../examples/lib/env.ts';

const NAME = 'SKEIN_TEST_SETTING';
afterEach(() => {
  delete process.env[NAME];
});

test('an unset or empty variable gives the default', () => {
  assert.equal(envInt(NAME, 7), 7);
  process.env[NAME] = ' ';
  assert.equal(envNumber(NAME, 0.5), 0.5);
});

test('numbers are read as Number() reads them, whole numbers in exponent form too', () => {
  process.env[NAME] = '2e5';
  assert.equal(envInt(NAME, 1, { min: 1 }), 200_000);
  process.env[NAME] = '1e-5';
  assert.equal(envNumber(NAME, 1, { min: 0 }), 1e-5);
});

test('a typo, a fraction where a count is wanted, or a value below the minimum is a BadSettingError naming the variable', () => {
  for (const [raw, read, message] of [
    ['2e5x', () => envInt(NAME, 1), /SKEIN_TEST_SETTING=2e5x is not a number/],
    ['Infinity', () => envNumber(NAME, 1), /is not a number/],
    ['2.5', () => envInt(NAME, 1), /SKEIN_TEST_SETTING=2.5 is not a whole number/],
    ['0', () => envInt(NAME, 1, { min: 1 }), /SKEIN_TEST_SETTING=0 is below its minimum, 1/],
  ] as const) {
    process.env[NAME] = raw;
    assert.throws(read, (err: unknown) => err instanceof BadSettingError && message.test((err as Error).message));
  }
});
