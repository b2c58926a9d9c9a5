import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type JsonChoice, type JsonPath, streamJson } from '../../../src/quality/json-stream.ts';
import { ReportError } from '../../../src/quality/report-file.ts';
import { scratch } from './findings/fixtures.ts';

let tmp: Awaited<ReturnType<typeof scratch>>;
beforeAll(async () => {
  tmp = await scratch();
});
afterAll(() => tmp.remove());

/** Takes every member of `items` (at any depth of nesting under the root's `items`). */
async function items(content: string | Buffer, choose?: (path: JsonPath) => JsonChoice) {
  const file = await tmp.write(`doc-${Math.random()}.json`, content);
  const taken: [JsonPath, unknown][] = [];
  await streamJson(file, {
    choose:
      choose ??
      ((path) =>
        path.length === 0
          ? 'enter'
          : path[0] !== 'items'
            ? 'skip'
            : path.length === 1
              ? 'enter'
              : 'take'),
    onValue: (path, value) => taken.push([path, value]),
  });
  return taken;
}

const failure = (content: string) =>
  items(content).then(
    () => undefined,
    (e: unknown) => e as ReportError,
  );

describe('streamJson', () => {
  it('hands over each taken value as JSON.parse would build it, with its path', async () => {
    const doc = {
      before: { items: [1, 2], text: 'a "quoted" ] } [ {' },
      items: [
        { a: 1, s: 'brackets ] } in a string, an escaped quote \\" and \\\\' },
        'two',
        3.5,
        null,
        [true, false],
        {},
      ],
      after: [{ items: 'not these' }],
    };
    const taken = await items(JSON.stringify(doc, null, 2));
    expect(taken).toEqual(doc.items.map((value, i) => [['items', i], value]));
  });

  it('takes scalars alone and enters nested containers as told', async () => {
    const taken = await items('{"a":{"b":[10,{"c":"x"}],"d":true}}', (path) =>
      path.length < 3 ? 'enter' : 'take',
    );
    expect(taken).toEqual([
      [['a', 'b', 0], 10],
      [['a', 'b', 1], { c: 'x' }],
    ]);
  });

  it('reads values across reads of the file (a string of 3 MiB, multi-byte characters at the seams)', async () => {
    const long = 'é€𝄞'.repeat(400_000);
    const doc = { items: [{ long }, 'short', { long: long.slice(0, 1000) }] };
    const taken = await items(JSON.stringify(doc));
    expect(taken.map(([, v]) => v)).toEqual(doc.items);
  });

  it('reads an escape whose backslash is the last byte of a read', async () => {
    // 18 bytes before the string, then \"} triples: the backslash at byte 1,048,575 ends the
    // first read; read wrongly, the quote after it would end the string and the } the item.
    const head = '{"items":[{"s":  "';
    expect((1_048_575 - head.length) % 3).toBe(0);
    const taken = await items(`${head}${'\\"}'.repeat(400_000)}"}]}`);
    expect(taken).toEqual([[['items', 0], { s: '"}'.repeat(400_000) }]]);
  });

  it('counts array members right when one straddles two reads', async () => {
    const numbers = Array.from({ length: 200_000 }, (_, i) => i * 1000 + 0.5);
    const taken = await items(JSON.stringify({ items: numbers }));
    expect(taken).toHaveLength(numbers.length);
    expect(taken.every(([path, value], i) => path[1] === i && value === numbers[i])).toBe(true);
  });

  it('drops a byte-order mark and counts bytes after it', async () => {
    const body = '{"items":[1,2]}';
    expect(
      await items(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)])),
    ).toEqual([
      [['items', 0], 1],
      [['items', 1], 2],
    ]);
    const error = (await items(Buffer.from('\uFEFF{"items":[1 2]}')).catch(
      (e: unknown) => e,
    )) as ReportError;
    expect(error.position).toEqual({ byte: 3 + '{"items":[1 '.length });
  });

  it.each([
    ['{"items":[1,2]} x', 'more after the end of the JSON value', '{"items":[1,2]} '.length],
    ['{"items":[1,2]', 'the file ends before the JSON does', '{"items":[1,2]'.length],
    ['{"items":[{"a":1}', 'the file ends before the JSON does', '{"items":[{"a":1}'.length],
    ['{"items":[{"a":[1,2}]}', "expected ']'", '{"items":[{"a":[1,2'.length],
    [
      '{"items":[{"a":[1,2]',
      'the file ends inside a value that starts at byte 10',
      '{"items":[{"a":[1,2]'.length,
    ],
    ['{"items" [1]}', "expected ':' after the key", '{"items" '.length],
    ['{items:[1]}', 'expected a key in double quotes', 1],
    ['{"items":[1,}', 'expected a value', '{"items":[1,'.length],
    ['{"x":[1,2}', "expected ',' or ']'", '{"x":[1,2'.length],
    ['{"items":[{"a":tru}]}', 'expected a value', '{"items":[{"a":'.length],
    ['{"items":["abc]}', 'unterminated string', '{"items":['.length],
    ['{"items":[1]', 'the file ends before the JSON does', '{"items":[1]'.length],
  ])('%s: %s, at its byte', async (content, reason, byte) => {
    const error = await failure(content);
    expect(error).toBeInstanceOf(ReportError);
    expect(error!.message).toContain(`(byte ${byte}): not valid JSON: ${reason}`);
  });

  it('checks the skipped parts too', async () => {
    const error = await failure('{"skipped":{"a" 1},"items":[]}');
    expect(error!.message).toContain(
      `(byte ${'{"skipped":{"a" '.length}): not valid JSON: expected ':'`,
    );
  });
});
