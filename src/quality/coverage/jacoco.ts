// JaCoCo XML (quality-gates.md "JaCoCo"): `report>[group>]package@name>sourcefile@name>
// line@nr,mi,ci,mb,cb`; a line is covered when ci > 0, its branches are mb + cb of which cb
// were taken. Paths are the package's folder and the source file's name (`com/acme/App.java`),
// relative to a source root the report does not name. The DOCTYPE's report.dtd is never fetched.
import { readXml } from '../xml-report.ts';
import { ReportError } from '../report-file.ts';
import type { LineHits } from './model.ts';
import { ParsedReport, count } from './parsed-report.ts';

export async function parseJacoco(file: string): Promise<ParsedReport> {
  const report = new ParsedReport();
  let root = true;
  let pkg = '';
  let current: LineHits | undefined;
  await readXml(file, {
    open(name, attributes) {
      if (root) {
        if (name !== 'report') throw new Error(`the root is <${name}>, not JaCoCo's <report>`);
        root = false;
      }
      switch (name) {
        case 'package':
          pkg = attributes.name ?? '';
          return;
        case 'sourcefile': {
          const source = attributes.name;
          if (!source) throw new Error('<sourcefile> has no name');
          current = report.linesOf(pkg === '' ? source : `${pkg}/${source}`);
          return;
        }
        case 'line': {
          if (!current) return;
          const line = count(attributes.nr, '<line> nr');
          current.add(line, count(attributes.ci, '<line> ci'));
          const missed = count(attributes.mb ?? '0', '<line> mb');
          const taken = count(attributes.cb ?? '0', '<line> cb');
          if (missed + taken > 0) current.addBranches(line, taken, missed + taken);
          return;
        }
      }
    },
    close(name) {
      if (name === 'sourcefile') {
        current?.compact();
        current = undefined;
      }
      else if (name === 'package') pkg = '';
    },
  });
  if (root) throw new ReportError(file, 'no <report> element: this is not a JaCoCo report');
  return report;
}
