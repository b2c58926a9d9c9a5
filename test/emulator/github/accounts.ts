// The users and bots the emulator knows, in the `simple-user` shape GitHub returns.
// https://docs.github.com/en/rest/users/users#get-a-user

export interface Account {
  readonly login: string;
  readonly id: number;
  readonly type: 'User' | 'Bot' | 'Organization';
}

/** The account every GITHUB_TOKEN writes as (its real id). */
export const GITHUB_ACTIONS_BOT: Account = {
  login: 'github-actions[bot]',
  id: 41898282,
  type: 'Bot',
};

export class Accounts {
  readonly #byLogin = new Map<string, Account>();
  #nextId = 1000;

  constructor() {
    this.#byLogin.set(GITHUB_ACTIONS_BOT.login.toLowerCase(), GITHUB_ACTIONS_BOT);
  }

  /** The account with this login, created on first use (`…[bot]` logins are bots). */
  get(login: string): Account {
    const key = login.toLowerCase();
    let account = this.#byLogin.get(key);
    if (account === undefined) {
      account = { login, id: this.#nextId++, type: login.endsWith('[bot]') ? 'Bot' : 'User' };
      this.#byLogin.set(key, account);
    }
    return account;
  }
}

export function simpleUser(account: Account, baseUrl: string): Record<string, unknown> {
  const htmlHost = 'https://github.com';
  return {
    login: account.login,
    id: account.id,
    node_id: Buffer.from(`04:${account.type}${account.id}`).toString('base64'),
    avatar_url: `https://avatars.githubusercontent.com/u/${account.id}?v=4`,
    url: `${baseUrl}/users/${encodeURIComponent(account.login)}`,
    html_url: `${htmlHost}/${account.login.replace(/\[bot\]$/, '')}`,
    type: account.type,
    site_admin: false,
  };
}
