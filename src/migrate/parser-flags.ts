/**
 * Keeps PostgreSQL's parser (WASM) in V8's baseline compiler, Liftoff. By default V8 tiers the
 * parser's hot functions up to TurboFan, whose compile of the huge generated parse function peaks
 * at about 600 MB resident and holds the process about 0.5 s after its work is done; Liftoff alone
 * runs the same lint in about 75 MB, and faster (bench/README.md, "rds-migrate memory").
 *
 * Set in the running process, just before the parser is compiled: a V8 flag on the command line
 * (`--liftoff-only`) needed a relaunch of node, and any WebAssembly flag makes V8 reject Node's
 * built-in code cache, so every node: module loaded after it is compiled again (bench/README.md,
 * "rds-migrate against psql"). `--liftoff-only` itself has no effect once V8 has started; these
 * two do, for modules compiled after them.
 */
export const PARSER_V8_FLAGS: readonly string[] = [
  '--no-wasm-dynamic-tiering',
  '--no-wasm-tier-up',
];

let limited = false;

export function limitParserTiering(): void {
  if (limited) return;
  limited = true;
  // node:v8 loaded here, not at start: the parser loads after the connection is on its way.
  const { setFlagsFromString } = process.getBuiltinModule('node:v8');
  for (const flag of PARSER_V8_FLAGS) setFlagsFromString(flag);
}
