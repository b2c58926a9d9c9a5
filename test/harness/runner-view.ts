// A step's log as a person sees it on GitHub: workflow commands consumed, annotations shown
// as "Error:"/"Warning:" lines, groups as headings, and every masked value printed as ***.
import type { StepRun } from './run-action.ts';

export function runnerView(run: Pick<StepRun, 'log' | 'masks'>): string[] {
  const masks = [...run.masks].filter((m) => m.length > 0).sort((a, b) => b.length - a.length);
  const mask = (line: string) =>
    masks.reduce((text, secret) => text.split(secret).join('***'), line);
  const lines: string[] = [];
  for (const raw of run.log.split('\n')) {
    const command = /^::([\w-]+)(?: [^:]*)?::(.*)$/.exec(raw);
    if (!command) {
      if (raw.trim() !== '') lines.push(mask(raw));
      continue;
    }
    const [, name, data = ''] = command;
    const text = mask(unescape(data));
    if (name === 'error') lines.push(`Error: ${text}`);
    else if (name === 'warning') lines.push(`Warning: ${text}`);
    else if (name === 'notice') lines.push(`Notice: ${text}`);
    else if (name === 'group') lines.push(`▸ ${text}`);
  }
  return lines;
}

function unescape(data: string): string {
  return data.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}
