// Go coverprofiles (quality-gates.md "Go"): `mode: set|count|atomic`, then one block a line,
// `file:startLine.startCol,endLine.endCol numStmt count`. Runs with -coverpkg repeat blocks:
// the same block merges by OR in set mode and by sum in count/atomic (golang/tools
// cover/profile.go). Each line a block spans takes the block's count; where blocks share a
// line the larger count wins, so a line is covered when any of its blocks ran. Statement
// totals (what `go tool cover` reports) are kept beside the lines.
import { ReportError, readLines } from '../report-file.ts';
import { LineHits } from './model.ts';
import { ParsedReport, count } from './parsed-report.ts';

const BLOCK = /^(.+):(\d+)\.(\d+),(\d+)\.(\d+) (\d+) (\d+)$/;

export async function parseGo(file: string): Promise<ParsedReport> {
  let mode: 'set' | 'count' | 'atomic' | undefined;
  // file → "sl.sc,el.ec" → [startLine, endLine, statements, count]
  const blocks = new Map<string, Map<string, [number, number, number, number]>>();
  await readLines(file, (raw, number) => {
    const line = raw.trim();
    if (line === '') return;
    if (number === 1 || mode === undefined) {
      const match = /^mode: (set|count|atomic)$/.exec(line);
      if (!match) throw new Error("the first line is not 'mode: set|count|atomic'");
      mode = match[1] as typeof mode;
      return;
    }
    // gotestsum/-coverpkg concatenations repeat the mode line; a mode that changes is an error.
    if (line.startsWith('mode: ')) {
      if (line !== `mode: ${mode}`) throw new Error(`'${line}' mixes modes with 'mode: ${mode}'`);
      return;
    }
    const match = BLOCK.exec(line);
    if (!match) throw new Error('not a block (file:line.col,line.col statements count)');
    const [, path, sl, sc, el, ec, statements, hits] = match;
    const key = `${sl}.${sc},${el}.${ec}`;
    let ofFile = blocks.get(path!);
    if (!ofFile) blocks.set(path!, (ofFile = new Map()));
    const start = count(sl, 'start line');
    const end = count(el, 'end line');
    if (end < start) throw new Error('the block ends before it starts');
    const seen = ofFile.get(key);
    const runs = count(hits, 'count');
    if (!seen) ofFile.set(key, [start, end, count(statements, 'statements'), runs]);
    else seen[3] = mode === 'set' ? Math.max(seen[3], runs) : seen[3] + runs;
  });
  if (mode === undefined) throw new ReportError(file, "no 'mode:' line: this is not a Go coverprofile");
  const report = new ParsedReport();
  for (const [path, ofFile] of blocks) {
    const lines = new LineHits();
    let covered = 0;
    let total = 0;
    for (const [start, end, statements, runs] of ofFile.values()) {
      for (let line = start; line <= end; line += 1) lines.max(line, runs);
      total += statements;
      if (runs > 0) covered += statements;
    }
    lines.compact();
    report.files.set(path, { lines, statements: { covered, total } });
  }
  return report;
}
