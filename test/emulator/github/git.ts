// The git data API a lock needs: trees and commits (no blobs kept beyond their content), and
// refs. Reading needs `contents: read`, writing `contents: write`. Creating a ref that exists is
// 422 "Reference already exists", which makes a ref an atomic claim.
// https://docs.github.com/en/rest/git/refs  https://docs.github.com/en/rest/git/commits
// https://docs.github.com/en/rest/git/trees
import { createHash } from 'node:crypto';
import { GitHubError, notFound } from './errors.ts';
import { accessRepository, objectBody, type Route, type RouteContext } from './route.ts';
import type { GitCommit, Repository, TreeEntry } from './store.ts';

const REFS = 'https://docs.github.com/rest/git/refs';
const COMMITS = 'https://docs.github.com/rest/git/commits';
const TREES = 'https://docs.github.com/rest/git/trees';

const invalid = (message: string, documentationUrl: string) =>
  new GitHubError(422, message, { documentationUrl });

export const gitRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/git/trees',
    operation: 'git/create-tree',
    handle(context) {
      const repository = accessRepository(context, 'write', ['contents'], TREES);
      const { tree } = objectBody(context);
      if (!Array.isArray(tree))
        throw invalid('Invalid request.\n\n"tree" wasn\'t supplied.', TREES);
      const entries: TreeEntry[] = tree.map((item: Record<string, unknown>) => {
        if (typeof item.path !== 'string' || typeof item.content !== 'string') {
          throw invalid('Invalid tree info', TREES);
        }
        const sha = gitHash('blob', item.content);
        return {
          path: item.path,
          mode: String(item.mode ?? '100644'),
          type: 'blob',
          sha,
          content: item.content,
        };
      });
      const sha = gitHash('tree', JSON.stringify(entries));
      repository.trees.set(sha, entries);
      return {
        status: 201,
        body: {
          sha,
          url: `${context.apiUrl}/repos/${repository.fullName}/git/trees/${sha}`,
          tree: entries.map(({ path, mode, type, sha: s, content }) => ({
            path,
            mode,
            type,
            sha: s,
            size: Buffer.byteLength(content ?? ''),
          })),
          truncated: false,
        },
      };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/git/commits',
    operation: 'git/create-commit',
    handle(context) {
      const repository = accessRepository(context, 'write', ['contents'], COMMITS);
      const { message, tree, parents } = objectBody(context);
      if (typeof message !== 'string')
        throw invalid('Invalid request.\n\n"message" wasn\'t supplied.', COMMITS);
      if (typeof tree !== 'string' || !repository.trees.has(tree))
        throw invalid('Tree SHA does not exist', COMMITS);
      const parentList = Array.isArray(parents) ? parents.map(String) : [];
      if (parentList.some((p) => !repository.commits.has(p)))
        throw invalid('Parent SHA does not exist or is not a commit object', COMMITS);
      const commit: GitCommit = {
        sha: gitHash(
          'commit',
          `${tree}\n${parentList.join(',')}\n${message}\n${context.clock().toISOString()}`,
        ),
        message,
        tree,
        parents: parentList,
        author: context.token!.account,
        createdAt: context.clock(),
      };
      repository.gitCommits.set(commit.sha, commit);
      repository.commits.add(commit.sha);
      return { status: 201, body: commitJson(context, repository, commit) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/commits/{commit_sha}',
    operation: 'git/get-commit',
    handle(context) {
      const repository = accessRepository(context, 'read', ['contents'], COMMITS);
      const commit = repository.gitCommits.get(context.params.commit_sha ?? '');
      if (commit === undefined) throw notFound(COMMITS);
      return { status: 200, body: commitJson(context, repository, commit) };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/git/refs',
    operation: 'git/create-ref',
    handle(context) {
      const repository = accessRepository(context, 'write', ['contents'], REFS);
      const { ref, sha } = objectBody(context);
      if (
        typeof ref !== 'string' ||
        !/^refs\/[^/]+\/.+$/.test(ref) ||
        /\.\.|[\s~^:?*[\\]|\/$|\.lock$/.test(ref)
      ) {
        throw invalid('Reference name is not well-formed', REFS);
      }
      if (typeof sha !== 'string' || !repository.commits.has(sha))
        throw invalid('Object does not exist', REFS);
      if (repository.refs.has(ref)) throw invalid('Reference already exists', REFS);
      repository.refs.set(ref, sha);
      return { status: 201, body: refJson(context, repository, ref, sha) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/ref/{ref*}',
    operation: 'git/get-ref',
    handle(context) {
      const repository = accessRepository(context, 'read', ['contents'], REFS);
      const ref = `refs/${context.params.ref ?? ''}`;
      const sha = repository.refs.get(ref);
      if (sha === undefined) throw notFound(REFS);
      return { status: 200, body: refJson(context, repository, ref, sha) };
    },
  },
  {
    method: 'DELETE',
    path: '/repos/{owner}/{repo}/git/refs/{ref*}',
    operation: 'git/delete-ref',
    handle(context) {
      const repository = accessRepository(context, 'write', ['contents'], REFS);
      const ref = `refs/${context.params.ref ?? ''}`;
      if (!repository.refs.delete(ref)) throw invalid('Reference does not exist', REFS);
      return { status: 204 };
    },
  },
];

function gitHash(type: string, content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`${type} ${bytes.length}\0`).update(bytes).digest('hex');
}

function commitJson(context: RouteContext, repository: Repository, c: GitCommit) {
  const person = {
    name: c.author.login,
    email: `${c.author.id}+${c.author.login}@users.noreply.github.com`,
    date: c.createdAt.toISOString(),
  };
  return {
    sha: c.sha,
    url: `${context.apiUrl}/repos/${repository.fullName}/git/commits/${c.sha}`,
    author: person,
    committer: person,
    message: c.message,
    tree: {
      sha: c.tree,
      url: `${context.apiUrl}/repos/${repository.fullName}/git/trees/${c.tree}`,
    },
    parents: c.parents.map((sha) => ({ sha })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
  };
}

function refJson(context: RouteContext, repository: Repository, ref: string, sha: string) {
  return {
    ref,
    node_id: Buffer.from(`03:Ref${repository.id}:${ref}`).toString('base64'),
    url: `${context.apiUrl}/repos/${repository.fullName}/git/${ref}`,
    object: {
      type: 'commit',
      sha,
      url: `${context.apiUrl}/repos/${repository.fullName}/git/commits/${sha}`,
    },
  };
}
