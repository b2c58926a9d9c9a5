// The build stages a Dockerfile declares, read before any build so a `target` it does not have is
// refused at once. Only what a refusal needs is parsed (parser directives, line continuations,
// FROM); anything this does not understand makes it answer "unknown", never a false refusal.

export interface Stages {
  /** The `FROM … AS <name>` names, lower-cased (BuildKit compares them without case). */
  names: string[];
  /** Every FROM, named or not (buildah also takes a stage's position as target). */
  count: number;
}

const DIRECTIVE = /^#\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*?)\s*$/;
// The Dockerfile frontend itself, any version: other frontends have grammars of their own.
const DOCKERFILE_SYNTAX =
  /^(?:docker\.io\/)?docker\/dockerfile(?:-upstream)?(?::[A-Za-z0-9._-]+)?(?:@sha256:[a-f0-9]{64})?$/;

/** The file's stages, or undefined when it is not for the Dockerfile frontend or declares none. */
export function dockerfileStages(text: string): Stages | undefined {
  const lines = text.split(/\r\n|\r|\n/);
  let escape = '\\';
  let start = 0;
  for (; start < lines.length; start++) {
    const directive = DIRECTIVE.exec(lines[start]!.trim());
    if (!directive) break;
    const [, name = '', value = ''] = directive;
    if (name.toLowerCase() === 'syntax' && !DOCKERFILE_SYNTAX.test(value)) return undefined;
    if (name.toLowerCase() === 'escape') escape = value === '`' ? '`' : '\\';
  }

  const instructions: string[] = [];
  let current: string | undefined;
  for (const line of lines.slice(start)) {
    const comment = /^\s*#/.test(line);
    // Comments and blank lines inside a continued instruction are dropped, as BuildKit does.
    if (current !== undefined && (comment || line.trim() === '')) continue;
    if (current === undefined && comment) continue;
    const trimmed = line.replace(/\s+$/, '');
    if (trimmed.endsWith(escape)) {
      current = `${current ?? ''}${trimmed.slice(0, -1)} `;
      continue;
    }
    instructions.push(`${current ?? ''}${line}`);
    current = undefined;
  }
  if (current !== undefined) instructions.push(current);

  const names: string[] = [];
  let count = 0;
  for (const instruction of instructions) {
    const from = /^\s*FROM\s+(.*)$/i.exec(instruction);
    if (!from) continue;
    count++;
    const args = from[1]!
      .trim()
      .split(/\s+/)
      .filter((a) => !a.startsWith('--'));
    if (args.length === 3 && args[1]!.toLowerCase() === 'as') names.push(args[2]!.toLowerCase());
  }
  return count === 0 ? undefined : { names, count };
}
