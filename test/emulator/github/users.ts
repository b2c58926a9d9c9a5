// GET /user. An installation token (GITHUB_TOKEN, app token) is not a user: GitHub answers 403
// "Resource not accessible by integration".
// https://docs.github.com/en/rest/users/users#get-the-authenticated-user
import { simpleUser } from './accounts.ts';
import { notAccessible, requiresAuthentication } from './errors.ts';
import type { Route } from './route.ts';

const DOCS = 'https://docs.github.com/rest/users/users#get-the-authenticated-user';

export const userRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/user',
    operation: 'users/get-authenticated',
    handle({ token, apiUrl }) {
      if (token === undefined) throw requiresAuthentication();
      if (token.kind === 'installation') throw notAccessible(DOCS);
      return { status: 200, body: { ...simpleUser(token.account, apiUrl), name: null } };
    },
  },
];
