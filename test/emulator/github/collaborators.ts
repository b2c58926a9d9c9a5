// GET /repos/{owner}/{repo}/collaborators/{username}/permission: the legacy `permission` (admin,
// write, read, none; maintain reads as write and triage as read) and the finer `role_name`.
// Needs only `metadata: read`, which every installation token has.
// https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user
// Someone who is not a collaborator gets `read` on a public repository and `none` on a private
// one (the emulator's model of GitHub's answer; no write either way).
import { simpleUser } from './accounts.ts';
import { metadataRepository, type Route } from './route.ts';
import type { Role } from './store.ts';

const DOCS =
  'https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user';

const LEGACY: Record<Role, 'admin' | 'write' | 'read'> = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
};

export const collaboratorRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/collaborators/{username}/permission',
    operation: 'repos/get-collaborator-permission-level',
    handle(context) {
      const repository = metadataRepository(context, DOCS);
      const account = context.accounts.get(context.params.username ?? '');
      const role = repository.collaborators.get(account.login.toLowerCase());
      const fallback = repository.private ? 'none' : 'read';
      return {
        status: 200,
        body: {
          permission: role === undefined ? fallback : LEGACY[role],
          role_name: role ?? fallback,
          user: { ...simpleUser(account, context.apiUrl), role_name: role ?? fallback },
        },
      };
    },
  },
];
