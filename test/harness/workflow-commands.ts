// Workflow commands on stdout/stderr (`::name key=value,…::data`), parsed and applied the way
// actions/runner's ActionCommandManager does: registered names only (case-insensitive),
// leading whitespace allowed, the legacy `##[name key=value;…]data` form, stop-commands.

export interface WorkflowCommand {
  /** Lower-cased command name. */
  command: string;
  properties: Record<string, string>;
  data: string;
}

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  /** `file`, `line`, `endLine`, `col`, `endColumn`, `title`, unescaped. */
  properties: Record<string, string>;
  /** 'runner' for messages the runner itself raises about the step (deprecations, errors). */
  source: 'action' | 'runner';
}

const REGISTERED = [
  'set-env',
  'set-output',
  'save-state',
  'add-mask',
  'add-path',
  'add-matcher',
  'remove-matcher',
  'warning',
  'error',
  'notice',
  'debug',
  'group',
  'endgroup',
  'echo',
  'stop-commands',
];

type Mapping = readonly (readonly [token: string, replacement: string])[];
const DATA_MAPPINGS: Mapping = [
  ['\r', '%0D'],
  ['\n', '%0A'],
  ['%', '%25'],
];
const PROPERTY_MAPPINGS: Mapping = [
  ['\r', '%0D'],
  ['\n', '%0A'],
  [':', '%3A'],
  [',', '%2C'],
  ['%', '%25'],
];
const LEGACY_MAPPINGS: Mapping = [
  [';', '%3B'],
  ['\r', '%0D'],
  ['\n', '%0A'],
  [']', '%5D'],
  ['%', '%25'],
];

// Sequential replacement in the runner's order, so `%250A` stays `%0A`.
function unescape(value: string, mappings: Mapping): string {
  return mappings.reduce(
    (text, [token, replacement]) => text.replaceAll(replacement, token),
    value,
  );
}

export function parseWorkflowCommand(
  line: string,
  registered: ReadonlySet<string> = new Set(REGISTERED),
): WorkflowCommand | undefined {
  return parseV2(line, registered) ?? parseLegacy(line, registered);
}

function parseV2(line: string, registered: ReadonlySet<string>): WorkflowCommand | undefined {
  const message = line.trimStart();
  if (!message.startsWith('::')) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = message.slice(2, end);
  const space = info.indexOf(' ');
  const command = (space < 0 ? info : info.slice(0, space)).toLowerCase();
  if (!registered.has(command)) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(',')) {
      const equals = pair.indexOf('=');
      if (equals > 0 && equals < pair.length - 1) {
        properties[pair.slice(0, equals)] = unescape(pair.slice(equals + 1), PROPERTY_MAPPINGS);
      }
    }
  }
  return { command, properties, data: unescape(message.slice(end + 2), DATA_MAPPINGS) };
}

function parseLegacy(line: string, registered: ReadonlySet<string>): WorkflowCommand | undefined {
  const prefix = line.indexOf('##[');
  if (prefix < 0) return undefined;
  const bracket = line.indexOf(']', prefix);
  if (bracket < 0) return undefined;
  const info = line.slice(prefix + 3, bracket);
  const space = info.indexOf(' ');
  const command = (space < 0 ? info : info.slice(0, space)).toLowerCase();
  if (!registered.has(command)) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info.slice(space + 1).split(';')) {
      const equals = pair.indexOf('=');
      if (equals > 0 && equals < pair.length - 1) {
        properties[pair.slice(0, equals)] = unescape(pair.slice(equals + 1), LEGACY_MAPPINGS);
      }
    }
  }
  return { command, properties, data: unescape(line.slice(bracket + 1), LEGACY_MAPPINGS) };
}

const DEPRECATED_OUTPUT_COMMAND = (name: string): string =>
  `The \`${name}\` command is deprecated and will be disabled soon. Please upgrade to using ` +
  'Environment Files. For more information see: ' +
  'https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/';

const DISABLED_COMMAND = (name: string): string =>
  `The \`${name}\` command is disabled. Please upgrade to using Environment Files or opt into ` +
  'unsecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS` environment ' +
  'variable to `true`. For more information see: ' +
  'https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/';

/** Applies the commands of one step's output, line by line, in arrival order. */
export class WorkflowCommandProcessor {
  readonly masks: string[] = [];
  readonly annotations: Annotation[] = [];
  readonly debug: string[] = [];
  readonly groups: string[] = [];
  /** From the deprecated `::set-output` / `::save-state` commands. */
  readonly outputs: Record<string, string> = {};
  readonly state: Record<string, string> = {};
  /** From `::set-env` / `::add-path`, only when unsecure commands are allowed. */
  readonly env: Record<string, string> = {};
  readonly paths: string[] = [];
  /** A command failed the step, as the runner's CommandResult = Failed. */
  failed = false;
  readonly allowUnsecureCommands: boolean;
  private readonly registered = new Set(REGISTERED);
  private stopToken: string | undefined;

  constructor(options: { allowUnsecureCommands?: boolean } = {}) {
    this.allowUnsecureCommands = options.allowUnsecureCommands ?? false;
  }

  processLine(line: string): void {
    const parsed = parseWorkflowCommand(line, this.registered);
    if (!parsed) return;
    if (this.stopToken !== undefined) {
      if (parsed.command === this.stopToken) {
        this.registered.delete(this.stopToken);
        this.stopToken = undefined;
      }
      return;
    }
    try {
      this.apply(parsed);
    } catch (error) {
      const shown = parsed.command === 'add-mask' ? parsed.command : line;
      this.runnerIssue('error', `Unable to process command '${shown}' successfully.`);
      this.runnerIssue('error', (error as Error).message);
      this.failed = true;
    }
  }

  private apply({ command, properties, data }: WorkflowCommand): void {
    const name = Object.entries(properties).find(([key]) => key.toLowerCase() === 'name')?.[1];
    switch (command) {
      case 'stop-commands':
        this.stopToken = data.toLowerCase();
        this.registered.add(this.stopToken);
        return;
      case 'add-mask':
        if (data.trim() === '') {
          this.runnerIssue(
            'warning',
            "Can't add secret mask for empty string in ##[add-mask] command.",
          );
        } else {
          this.masks.push(data);
        }
        return;
      case 'error':
      case 'warning':
      case 'notice':
        this.annotations.push({ level: command, message: data, properties, source: 'action' });
        return;
      case 'debug':
        this.debug.push(data);
        return;
      case 'group':
        this.groups.push(data);
        return;
      case 'set-output':
      case 'save-state':
        if (!name) throw new Error(`Required field 'name' is missing in ##[${command}] command.`);
        this.runnerIssue('warning', DEPRECATED_OUTPUT_COMMAND(command));
        (command === 'set-output' ? this.outputs : this.state)[name] = data;
        return;
      case 'set-env':
        if (!this.allowUnsecureCommands) throw new Error(DISABLED_COMMAND(command));
        if (!name) throw new Error("Required field 'name' is missing in ##[set-env] command.");
        if (name.toUpperCase() === 'NODE_OPTIONS') {
          this.runnerIssue(
            'error',
            "Can't update NODE_OPTIONS environment variable using ::set-env:: command.",
          );
          return;
        }
        this.env[name] = data;
        return;
      case 'add-path':
        if (!this.allowUnsecureCommands) throw new Error(DISABLED_COMMAND(command));
        if (data === '') throw new Error("Argument 'path' cannot be null or empty.");
        this.paths.push(data);
        return;
      default:
        // endgroup, echo, add-matcher, remove-matcher: accepted, nothing to record.
        return;
    }
  }

  runnerIssue(level: AnnotationLevel, message: string): void {
    this.annotations.push({ level, message, properties: {}, source: 'runner' });
  }
}
