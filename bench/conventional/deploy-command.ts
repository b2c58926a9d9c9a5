// The bench's stand-in for a comment deploy written the conventional way: @actions/core for the
// inputs, outputs and masking, the event read from GITHUB_EVENT_PATH, and the REST calls with the
// global fetch (what Octokit uses by default): react, permission, pull request, check runs,
// combined status, the lock ref, reply. The same calls deploy-command makes for `/deploy staging`.
// It is a stand-in, not github/branch-deploy, which is not on npm and cannot run here.
import * as core from '@actions/core';
import { readFileSync } from 'node:fs';

const token = core.getInput('github-token');
core.setSecret(token);
const api = process.env.GITHUB_API_URL ?? 'https://api.github.com';
const repo = `/repos/${process.env.GITHUB_REPOSITORY}`;
const event = JSON.parse(readFileSync(process.env.GITHUB_EVENT_PATH!, 'utf8'));
const headers = {
  accept: 'application/vnd.github+json',
  authorization: `Bearer ${token}`,
  'user-agent': 'conventional-deploy-command',
  'content-type': 'application/json',
};
const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${api}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, data: text ? JSON.parse(text) : undefined };
};

const line = String(event.comment.body).split('\n')[0]!.trim();
const match = /^\/deploy ([A-Za-z0-9._-]+)$/.exec(line);
if (event.action !== 'created' || !match) {
  core.setOutput('decision', 'ignored');
} else {
  await call('POST', `${repo}/issues/comments/${event.comment.id}/reactions`, { content: 'eyes' });
  const login = event.comment.user.login;
  const permission = await call('GET', `${repo}/collaborators/${login}/permission`);
  const pull = await call('GET', `${repo}/pulls/${event.issue.number}`);
  const sha = pull.data.head.sha;
  await call('GET', `${repo}/git/ref/heads/${match[1]}-deploy-lock`);
  const runs = await call('GET', `${repo}/commits/${sha}/check-runs?per_page=100`);
  const status = await call('GET', `${repo}/commits/${sha}/status?per_page=100`);
  const green =
    runs.data.check_runs.every((r: { conclusion: string }) => r.conclusion === 'success') &&
    status.data.statuses.every((s: { state: string }) => s.state === 'success');
  const allowed = ['write', 'admin'].includes(permission.data.permission);
  const decision = allowed && green ? 'proceed' : 'rejected';
  await call('POST', `${repo}/issues/${event.issue.number}/comments`, {
    body: `${decision}: ${sha}`,
  });
  core.setOutput('decision', decision);
  core.setOutput('sha', sha);
}
