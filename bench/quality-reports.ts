// The big reports the quality-gate benches judge, generated the same way every run (fixed
// pseudo-random sequences): a jest-shaped lcov tracefile, jest-junit-shaped JUnit XML, and a SARIF
// log as ESLint and Trivy write them.
import { createWriteStream } from 'node:fs';

/** Writes text produced piece by piece, respecting the stream's back-pressure. */
export async function writeReport(file: string, pieces: () => Generator<string>): Promise<void> {
  const out = createWriteStream(file);
  let buffer = '';
  for (const piece of pieces()) {
    buffer += piece;
    if (buffer.length >= 1 << 20) {
      if (!out.write(buffer))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      buffer = '';
    }
  }
  out.end(buffer);
  await new Promise<void>((resolve, reject) =>
    out.on('finish', () => resolve()).on('error', reject),
  );
}

/** A fixed pseudo-random sequence, so every run generates the same report. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

export function* lcovRecords(bytes: number): Generator<string> {
  const next = random(7);
  let written = 0;
  for (let file = 0; written < bytes; file += 1) {
    const lines = 300 + Math.floor(next() * 1200);
    let record = `TN:\nSF:/home/runner/work/shop/shop/src/module-${file % 97}/file-${file}.ts\n`;
    const functions: string[] = [];
    for (let line = 1; line < lines; line += 30) {
      functions.push(`fn_${file}_${line}`);
      record += `FN:${line},fn_${file}_${line}\n`;
    }
    for (const name of functions) record += `FNDA:${Math.floor(next() * 3)},${name}\n`;
    record += `FNF:${functions.length}\nFNH:${functions.length}\n`;
    let found = 0;
    let hit = 0;
    let branches = 0;
    let taken = 0;
    for (let line = 1; line <= lines; line += 1) {
      if (next() < 0.3) continue; // not executable: blank, comment, brace
      const count = next() < 0.8 ? Math.floor(next() * 50) + 1 : 0;
      record += `DA:${line},${count}\n`;
      found += 1;
      if (count > 0) hit += 1;
      if (line % 6 === 0) {
        for (let branch = 0; branch < 2; branch += 1) {
          const times = count > 0 && next() < 0.7 ? Math.floor(next() * count) + 1 : 0;
          record += `BRDA:${line},0,${branch},${count === 0 ? '-' : times}\n`;
          branches += 1;
          if (times > 0) taken += 1;
        }
      }
    }
    record += `LF:${found}\nLH:${hit}\nBRF:${branches}\nBRH:${taken}\nend_of_record\n`;
    written += record.length;
    yield record;
  }
}

const STACK = Array.from(
  { length: 20 },
  (_, i) =>
    `    at Object.step${i} (/home/runner/work/shop/shop/src/cart/step-${i}.ts:${i + 10}:17)`,
).join('\n');

export function* junitSuites(bytes: number): Generator<string> {
  const next = random(11);
  yield '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="jest tests" tests="0" failures="0" errors="0" time="0">\n';
  let written = 0;
  for (let suite = 0; written < bytes; suite += 1) {
    let text = `  <testsuite name="suite ${suite}" errors="0" failures="0" skipped="0" timestamp="2026-12-07T05:00:00" time="1.2" tests="100">\n`;
    for (let test = 0; test < 100; test += 1) {
      const name = `suite ${suite} does thing number ${test} &amp; checks &lt;it&gt;`;
      const roll = next();
      text += `    <testcase classname="${name}" name="${name}" time="0.0${test % 10}" file="test/suite-${suite}.test.ts">\n`;
      if (roll < 0.02) {
        text += `      <failure>Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: ${test}\nReceived: ${test + 1}\n${STACK}</failure>\n`;
      } else if (roll < 0.03) {
        text += '      <skipped/>\n';
      }
      text += '    </testcase>\n';
    }
    text += '  </testsuite>\n';
    written += text.length;
    yield text;
  }
  yield '</testsuites>\n';
}

/**
 * A SARIF log of about `mb` MB as tools write it: two runs (an ESLint-like one with levels and
 * partialFingerprints; a Trivy-like one whose rules carry security-severity), a result in 50
 * suppressed, messages and locations on every result.
 */
export async function writeSarif(file: string, mb: number): Promise<number> {
  const out = createWriteStream(file);
  let written = 0;
  const write = async (text: string) => {
    written += text.length;
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  let count = 0;
  await write(
    '{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[',
  );
  for (const [r, tool] of ['ESLint', 'Trivy'].entries()) {
    const rules = Array.from({ length: 40 }, (_, i) => ({
      id: `${tool.toLowerCase()}-rule-${i}`,
      shortDescription: { text: `Rule ${i} of ${tool}` },
      defaultConfiguration: { level: i % 3 === 0 ? 'error' : 'warning' },
      ...(tool === 'Trivy' ? { properties: { 'security-severity': String((i % 10) + 0.5) } } : {}),
    }));
    await write(
      `${r ? ',' : ''}{"tool":{"driver":{"name":${JSON.stringify(tool)},"rules":${JSON.stringify(rules)}}},"results":[`,
    );
    const limit = (mb * 1e6 * (r + 1)) / 2;
    for (let i = 0; written < limit; i++, count++) {
      const result = {
        ruleId: rules[i % 40]!.id,
        ruleIndex: i % 40,
        ...(i % 7 === 0 ? { level: 'note' } : {}),
        message: { text: `Value ${i} flows into a sink here without being checked first.` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: {
                uri: `src/module${i % 97}/file${i % 1013}.ts`,
                uriBaseId: '%SRCROOT%',
              },
              region: {
                startLine: (i % 800) + 1,
                startColumn: 3,
                endLine: (i % 800) + 2,
                endColumn: 40,
              },
            },
          },
        ],
        partialFingerprints: {
          primaryLocationLineHash: `${((i * 2654435761) >>> 0).toString(16)}:1`,
        },
        ...(i % 50 === 0
          ? { suppressions: [{ kind: 'inSource', justification: 'reviewed' }] }
          : {}),
      };
      await write(`${i ? ',' : ''}${JSON.stringify(result)}`);
    }
    await write(']}');
  }
  await write(']}\n');
  await new Promise<void>((resolve) => out.end(() => resolve()));
  return count;
}
