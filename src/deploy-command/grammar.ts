// The comment grammar, on the comment's first line only, against an allow-list:
//   /deploy <env> [--dry-run] [--force]   /rollback <env> [--force]   /promote
//   /lock <env> [reason]   /unlock <env>   /status [env]   /help
// A line that does not start with the prefix and one of these verbs, byte for byte, is not a
// command (a look-alike slash or letter from another script, a zero-width space): it is ignored.
// Arguments are checked here, so nothing the comment says travels further unless it is one of
// a few known words, an environment name of a strict shape, or a lock reason cut and cleaned.

export const VERBS = ['deploy', 'rollback', 'promote', 'lock', 'unlock', 'status', 'help'] as const;
export type Verb = (typeof VERBS)[number];

export type Command =
  | {
      readonly verb: 'deploy';
      readonly environment: string;
      readonly dryRun: boolean;
      readonly force: boolean;
    }
  | { readonly verb: 'rollback'; readonly environment: string; readonly force: boolean }
  | { readonly verb: 'promote' }
  | { readonly verb: 'lock'; readonly environment: string; readonly reason: string }
  | { readonly verb: 'unlock'; readonly environment: string }
  | { readonly verb: 'status'; readonly environment: string | undefined }
  | { readonly verb: 'help' };

export type Parsed =
  | { readonly kind: 'not-a-command' }
  | { readonly kind: 'invalid'; readonly verb: Verb; readonly problem: string }
  | { readonly kind: 'command'; readonly command: Command };

/** GitHub allows more in an environment's name; a comment may only name these shapes. */
export const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** A prefix: one to eight printable ASCII characters, no space, no letter or digit. */
export const PREFIX = /^[!-/:-@[-`{-~]{1,8}$/;
export const MAX_REASON_CHARACTERS = 200;

/** The first line: up to the first line break of any kind. */
export function firstLine(body: string): string {
  return body.split(/\r\n|[\n\r\u0085\u2028\u2029]/, 1)[0] ?? '';
}

export function parseCommand(body: string, prefix: string): Parsed {
  if (!PREFIX.test(prefix)) throw new TypeError(`not a command prefix: ${JSON.stringify(prefix)}`);
  // Only ASCII space and tab separate words; any other character is part of a word.
  const line = firstLine(body).replace(/^[ \t]+|[ \t]+$/g, '');
  if (!line.startsWith(prefix)) return { kind: 'not-a-command' };
  const [head = '', ...words] = line.split(/[ \t]+/);
  const verb = VERBS.find((v) => head === `${prefix}${v}`);
  if (verb === undefined) return { kind: 'not-a-command' };
  const invalid = (problem: string): Parsed => ({ kind: 'invalid', verb, problem });
  const command = (c: Command): Parsed => ({ kind: 'command', command: c });

  switch (verb) {
    case 'deploy':
    case 'rollback': {
      const [environment, ...flags] = words;
      if (environment === undefined) return invalid('name the environment');
      if (!ENVIRONMENT_NAME.test(environment)) return invalid('that is not an environment name');
      const allowed = verb === 'deploy' ? ['--dry-run', '--force'] : ['--force'];
      if (flags.some((f) => !allowed.includes(f)) || new Set(flags).size !== flags.length) {
        return invalid(`after the environment only ${allowed.join(' and ')} may follow`);
      }
      const force = flags.includes('--force');
      return verb === 'deploy'
        ? command({ verb, environment, dryRun: flags.includes('--dry-run'), force })
        : command({ verb, environment, force });
    }
    case 'promote':
    case 'help':
      return words.length === 0 ? command({ verb }) : invalid('it takes no arguments');
    case 'unlock':
    case 'status': {
      const [environment, ...rest] = words;
      if (rest.length > 0) return invalid('it takes one environment');
      if (environment === undefined) {
        return verb === 'status'
          ? command({ verb, environment: undefined })
          : invalid('name the environment');
      }
      if (!ENVIRONMENT_NAME.test(environment)) return invalid('that is not an environment name');
      return command({ verb, environment });
    }
    case 'lock': {
      const [environment, ...reasonWords] = words;
      if (environment === undefined) return invalid('name the environment');
      if (!ENVIRONMENT_NAME.test(environment)) return invalid('that is not an environment name');
      const reason = cleanReason(reasonWords.join(' '));
      if (reason === undefined)
        return invalid('the reason has characters a lock reason may not have');
      return command({ verb, environment, reason });
    }
  }
}

/**
 * A lock reason as people wrote it, safe to store and to show in a code span: printable
 * characters only (no controls, no bidirectional overrides or zero-width marks), no backticks,
 * at most 200 characters. Undefined when it holds anything else.
 */
export function cleanReason(text: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  if (/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff`]/u.test(text)) {
    return undefined;
  }
  const characters = [...text.trim()];
  return characters.length > MAX_REASON_CHARACTERS
    ? `${characters.slice(0, MAX_REASON_CHARACTERS - 1).join('')}…`
    : characters.join('');
}

/** The usage lines /help and a refusal of a malformed command show. */
export function usage(prefix: string): string[] {
  return [
    `\`${prefix}deploy <environment>\` deploy this pull request's head commit (\`--dry-run\` to plan only)`,
    `\`${prefix}rollback <environment>\` deploy the previous successful deployment again`,
    `\`${prefix}promote\` send what staging runs to production, through production's reviewers`,
    `\`${prefix}lock <environment> [reason]\` keep others from deploying there; \`${prefix}unlock <environment>\` frees it`,
    `\`${prefix}status [environment]\` what runs where, and who deployed it`,
    `\`${prefix}help\` this list`,
  ];
}
