import { fitCommentBody, MAX_COMMENT_CHARACTERS } from '../../../src/github/comment-body.ts';

const MARKER = '<!-- gate -->';

describe('fitCommentBody', () => {
  it('leaves a body within the limit as it is, adding the marker only when missing', () => {
    expect(fitCommentBody(`${MARKER}\nok`, MARKER)).toBe(`${MARKER}\nok`);
    expect(fitCommentBody(`a\n${MARKER}`, MARKER)).toBe(`a\n${MARKER}`);
    expect(fitCommentBody('ok', MARKER)).toBe(`${MARKER}\nok`);
    const full = `${MARKER}${'x'.repeat(MAX_COMMENT_CHARACTERS - MARKER.length)}`;
    expect(fitCommentBody(full, MARKER)).toBe(full);
  });

  it('cuts at a line end, says how long the body was, and keeps a trailing marker', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n');
    const fitted = fitCommentBody(`${lines}\n${MARKER}`, MARKER, 200);
    expect([...fitted].length).toBeLessThanOrEqual(200);
    expect(fitted).toMatch(
      /^<!-- gate -->\nline 0\n(line \d+\n)*line \d+\n\n_This comment was cut to GitHub's limit of 200 characters \(it had 323\); the job summary has the rest\._$/,
    );
  });

  it('counts characters, never splitting a surrogate pair', () => {
    const fitted = fitCommentBody(`${MARKER}${'😀'.repeat(300)}`, MARKER, 200);
    expect([...fitted].length).toBeLessThanOrEqual(200);
    expect(fitted.length).toBeGreaterThan(200); // UTF-16 units: more than characters
    expect(/\p{Cs}/u.test(fitted)).toBe(false);
    expect(fitted).toContain('(it had 313)');
  });
});
