// The one pull-request comment quality-gate keeps up to date (found by a hidden marker), as the
// engine needs it; src/github/ implements it on GitHub's REST API.

export interface PullRequestRef {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
}

export interface StickyComment {
  readonly id: number;
  readonly url: string;
  /** Whether this run wrote a new comment or edited the one already there. */
  readonly action: 'created' | 'updated';
}

export interface StickyCommentPort {
  /**
   * Edits the pull request's comment whose body contains `marker` (an HTML comment, invisible on
   * GitHub), or creates one when there is none: never a second comment per run.
   */
  upsert(pr: PullRequestRef, marker: string, body: string): Promise<StickyComment>;
}
