import { describe, expect, it } from '@jest/globals';
import { postInfraDiff } from '../../../src/infra-diff/post.ts';
import { INFRA_DIFF_MARKER } from '../../../src/infra-diff/comment.ts';
import type { StickyCommentPort } from '../../../src/quality/comment-port.ts';
import { RECORDED } from './samples.ts';

const PR = { owner: 'octo-org', repo: 'octo-app', number: 7 };

function recordingComments() {
  const calls: { marker: string; body: string }[] = [];
  const port: StickyCommentPort = {
    async upsert(_pr, marker, body) {
      calls.push({ marker, body });
      return {
        id: 1,
        url: 'https://github.com/c/1',
        action: calls.length === 1 ? 'created' : 'updated',
      };
    },
  };
  return { port, calls };
}

describe('postInfraDiff', () => {
  it('upserts one comment under the infra-diff marker and reports the differences', async () => {
    const { port, calls } = recordingComments();
    const result = await postInfraDiff(
      { output: RECORDED, exitCode: 0, pullRequest: PR },
      { comments: port },
    );
    expect(result.outcome).toBe('differences');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.marker).toBe(INFRA_DIFF_MARKER);
  });

  it('is no-differences when every stack is unchanged, diff-failed on a non-zero exit', async () => {
    const { port } = recordingComments();
    const same = 'Stack staging/App (shop-staging)\nThere were no differences\n';
    expect(
      (await postInfraDiff({ output: same, exitCode: 0, pullRequest: PR }, { comments: port }))
        .outcome,
    ).toBe('no-differences');
    expect(
      (await postInfraDiff({ output: RECORDED, exitCode: 1, pullRequest: PR }, { comments: port }))
        .outcome,
    ).toBe('diff-failed');
  });

  it('refuses an exit code that is not a whole number from 0 before any comment', async () => {
    const { port, calls } = recordingComments();
    await expect(
      postInfraDiff({ output: '', exitCode: -1, pullRequest: PR }, { comments: port }),
    ).rejects.toThrow(RangeError);
    expect(calls).toHaveLength(0);
  });
});
