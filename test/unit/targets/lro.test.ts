import { describe, expect, it } from 'vitest';
import { RestError } from '@azure/core-rest-pipeline';
import { lroFailureOf, resumeAndPollOnce } from '../../../shared/targets/lro.js';

describe('lroFailureOf', () => {
  it.each([
    {
      name: 'code and message',
      message: 'The long-running operation has failed. QuotaExceeded. Not enough quota. Ask for more.',
      expected: { code: 'QuotaExceeded', message: 'Not enough quota. Ask for more.' },
    },
    {
      name: 'no error object',
      message: 'The long-running operation has failed',
      expected: { code: undefined, message: 'no reason given' },
    },
  ])("reads ARM's answer from core-lro's error: $name", ({ message, expected }) => {
    expect(lroFailureOf(new Error(message))).toEqual(expected);
  });

  it('is not fooled by a failure to reach ARM', () => {
    expect(
      lroFailureOf(new RestError('The long-running operation has failed. X. y', { statusCode: 500 })),
    ).toBeUndefined();
    expect(lroFailureOf(new Error('socket hang up'))).toBeUndefined();
  });
});

describe('resumeAndPollOnce', () => {
  it("turns a resume that rejects with ARM's Failed into a failed progress", async () => {
    const progress = await resumeAndPollOnce(() =>
      Promise.reject(
        new Error(
          'The long-running operation has failed. UnsupportedValue. Unsupported value 21 for parameter NumberOfNodes',
        ),
      ),
    );
    expect(progress).toEqual({
      status: 'failed',
      message: 'ARM reports the update failed: UnsupportedValue: Unsupported value 21 for parameter NumberOfNodes',
    });
  });

  it('turns a cancelled operation into a cancelled progress', async () => {
    expect(await resumeAndPollOnce(() => Promise.reject(new Error('Operation was canceled')))).toEqual({
      status: 'cancelled',
      message: 'ARM reports the update was cancelled',
    });
  });

  it('lets any other error through', async () => {
    const unreachable = new RestError('connect ECONNREFUSED', { code: 'ECONNREFUSED' });
    await expect(resumeAndPollOnce(() => Promise.reject(unreachable))).rejects.toBe(unreachable);
  });
});
