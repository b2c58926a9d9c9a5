/**
 * V8 flags for a process that runs PostgreSQL's parser (WASM). By default V8 tiers the parser's
 * hot functions up to TurboFan, whose compile of the huge generated parse function peaks at about
 * 600 MB resident and holds the process about 0.5 s after its work is done; Liftoff alone runs the
 * same lint in about 75 MB, and faster (bench/README.md, "rds-migrate memory").
 */
export const PARSER_V8_FLAGS: readonly string[] = ['--liftoff-only'];
