/**
 * An error the person running the action can fix. Its message is one line that says what is
 * wrong and how to fix it; `details` are extra lines printed before it (never a stack trace).
 */
export class UserError extends Error {
  readonly details: readonly string[];

  constructor(message: string, options: { details?: readonly string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.details = options.details ?? [];
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** The error's message on one line, without a stack. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}

/** How many characters of a value an error message shows. */
export const SHOWN_CHARACTERS = 60;

/**
 * A value for an error message: quoted, control characters and line separators escaped (so it
 * stays one line), and cut to its first 60 characters with its length when it is longer, so a
 * 100 KB input is never echoed whole.
 */
export function shown(value: string, max = SHOWN_CHARACTERS): string {
  const escape = (text: string) =>
    text.replace(
      // eslint-disable-next-line no-control-regex -- control characters are what it looks for
      /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  const characters = [...value];
  if (characters.length <= max) return `'${escape(value)}'`;
  return `'${escape(characters.slice(0, max).join(''))}…' (${characters.length} characters)`;
}
