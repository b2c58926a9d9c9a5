// Cobertura XML (quality-gates.md "Cobertura"): `class@filename` → `lines/line@number,@hits`,
// branches from `@condition-coverage="50% (1/2)"` when `@branch="true"`. Lines repeat under
// `methods/method/lines`: only the class's own `lines` count. `filename` is relative to one of
// `sources/source` (whitespace-padded values seen): kept trimmed for path normalisation.
import { readXml } from '../xml-report.ts';
import { ReportError } from '../report-file.ts';
import type { LineHits } from './model.ts';
import { ParsedReport, count } from './parsed-report.ts';

const CONDITIONS = /\((\d+)\/(\d+)\)/;

export async function parseCobertura(file: string): Promise<ParsedReport> {
  const report = new ParsedReport();
  let root = true;
  let current: LineHits | undefined;
  let methods = 0;
  let source: string | undefined;
  await readXml(file, {
    open(name, attributes, text) {
      if (root) {
        if (name !== 'coverage') throw new Error(`the root is <${name}>, not Cobertura's <coverage>`);
        root = false;
      }
      switch (name) {
        case 'source':
          source = '';
          text.capture(true);
          return;
        case 'class': {
          const filename = attributes.filename?.trim();
          if (!filename) throw new Error('<class> has no filename');
          current = report.linesOf(filename);
          return;
        }
        case 'methods':
          methods += 1;
          return;
        case 'line': {
          if (!current || methods > 0) return;
          const line = count(attributes.number, '<line> number');
          current.add(line, count(attributes.hits, '<line> hits'));
          if (attributes.branch === 'true') {
            const conditions = CONDITIONS.exec(attributes['condition-coverage'] ?? '');
            if (conditions) current.addBranches(line, Number(conditions[1]), Number(conditions[2]));
          }
          return;
        }
      }
    },
    close(name, text) {
      if (name === 'source' && source !== undefined) {
        if (source.trim() !== '') report.sources.push(source.trim());
        source = undefined;
        text.capture(false);
      } else if (name === 'methods') methods -= 1;
      else if (name === 'class') {
        current?.compact();
        current = undefined;
      }
    },
    text(text) {
      if (source !== undefined && source.length < 4096) source += text;
    },
  });
  if (root) throw new ReportError(file, 'no <coverage> element: this is not a Cobertura report');
  return report;
}
