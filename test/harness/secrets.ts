// Leak detection over what a run makes visible to people: for every step (pre, main, post) its
// log, stdout, stderr, step summary and annotations (messages and properties). Not scanned, on
// purpose: outputs, exported env and state (they legitimately carry credentials to later
// steps), and `::add-mask::` lines (registering a secret is not leaking it).
//
// The scan is strict: it reads the raw output, before the runner's masking. A secret printed
// after `add-mask` would show as *** on GitHub but still counts here, because masking is the
// last line of defence, not a licence to print.
//
// Reports never contain the secret itself, so they are safe to print in CI.
import type { ActionRun, StepRun } from './run-action.ts';
import { parseWorkflowCommand } from './workflow-commands.ts';

export interface EncodedForm {
  form: string;
  value: string;
}

const MIN_BASE64_FRAGMENT = 8;

/** The secret and the encodings it commonly leaks in. */
export function encodedForms(secret: string): EncodedForm[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms: EncodedForm[] = [
    { form: 'raw', value: secret },
    { form: 'json-escaped', value: JSON.stringify(secret).slice(1, -1) },
    { form: 'url-encoded', value: encodeURIComponent(secret) },
    {
      form: 'url-encoded (lower-case hex)',
      value: encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    },
    { form: 'form-encoded', value: new URLSearchParams({ s: secret }).toString().slice(2) },
    { form: 'base64', value: bytes.toString('base64') },
    { form: 'base64url', value: bytes.toString('base64url') },
  ];
  // The secret inside a larger base64 blob (e.g. `user:password`): its encoding depends on its
  // byte offset mod 3, so keep, for each offset, only the characters made of secret bits alone.
  for (let offset = 0; offset < 3; offset += 1) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const first = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    const fragment = encoded.slice(first, end);
    if (fragment.length >= MIN_BASE64_FRAGMENT) {
      forms.push({ form: `base64 (inside a larger value, offset ${offset})`, value: fragment });
      forms.push({
        form: `base64url (inside a larger value, offset ${offset})`,
        value: fragment.replaceAll('+', '-').replaceAll('/', '_'),
      });
    }
  }
  const seen = new Set<string>();
  return forms.filter(({ value }) => value !== '' && !seen.has(value) && seen.add(value));
}

/** A named text a person can see (a log, a summary), for `findLeaksIn`. */
export interface Channel {
  name: string;
  text: string;
}

function channelsOf(step: StepRun, prefix: string): Channel[] {
  const visibleLines = (text: string): string =>
    text
      .split(/\r\n|\r|\n/)
      .filter((line) => parseWorkflowCommand(line)?.command !== 'add-mask')
      .join('\n');
  return [
    { name: `${prefix}.log`, text: visibleLines(step.log) },
    { name: `${prefix}.stdout`, text: visibleLines(step.stdout) },
    { name: `${prefix}.stderr`, text: visibleLines(step.stderr) },
    { name: `${prefix}.summary`, text: step.summary },
    {
      name: `${prefix}.annotations`,
      text: step.annotations
        .map((annotation) =>
          [annotation.message, ...Object.values(annotation.properties)].join('\n'),
        )
        .join('\n'),
    },
  ];
}

/** One line per leak: which secret (by position), in which form, where. Empty when clean. */
export function findLeakedSecrets(run: StepRun | ActionRun, secrets: readonly string[]): string[] {
  const steps: [StepRun, string][] = [[run, run.step]];
  if ('pre' in run && run.pre) steps.push([run.pre, 'pre']);
  if ('post' in run && run.post) steps.push([run.post, 'post']);
  return findLeaksIn(
    steps.flatMap(([step, prefix]) => channelsOf(step, prefix)),
    secrets,
  );
}

/** One line per leak of any secret, in any of its encodings, in any of the channels. */
export function findLeaksIn(channels: readonly Channel[], secrets: readonly string[]): string[] {
  const leaks: string[] = [];
  secrets.forEach((secret, index) => {
    if (secret === '') return;
    const forms = encodedForms(secret);
    for (const channel of channels) {
      const found = forms.find(({ value }) => channel.text.includes(value));
      if (!found) continue;
      const offset = channel.text.indexOf(found.value);
      const line = channel.text.slice(0, offset).split('\n').length;
      leaks.push(`secret #${index + 1} (${found.form}) in ${channel.name} at line ${line}`);
    }
  });
  return leaks;
}

/** Throws, listing every leak, when any secret shows up; for use inside a test. */
export function expectNoSecretsIn(run: StepRun | ActionRun, secrets: readonly string[]): void {
  const leaks = findLeakedSecrets(run, secrets);
  if (leaks.length) {
    throw new Error(`secrets leaked into visible output:\n  ${leaks.join('\n  ')}`);
  }
}
