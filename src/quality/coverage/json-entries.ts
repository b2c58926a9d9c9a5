// Reads a JSON file whose top level is one object, entry by entry, holding one entry at a time:
// Istanbul's coverage files are `{ "<path>": {…one file…}, … }`, so memory follows the largest
// file's entry, never the report. The walking and the error bytes are json-stream.ts's.
import { streamJson } from '../json-stream.ts';
import { ReportError, sniff } from '../report-file.ts';

/**
 * Calls `onEntry` with each key and parsed value of the top-level object. Anything else at the
 * top level, a truncated file or a syntax error is a ReportError with the byte where it is.
 */
export async function readJsonEntries(
  file: string,
  onEntry: (key: string, value: unknown) => void,
): Promise<void> {
  const head = await sniff(file);
  const first = head.search(/\S/);
  if (head[first] !== '{') {
    throw new ReportError(file, 'the top level is not an object', {
      byte: Buffer.byteLength(head.slice(0, first)),
    });
  }
  await streamJson(file, {
    choose: (path) => (path.length === 0 ? 'enter' : 'take'),
    onValue: (path, value) => onEntry(path[0] as string, value),
  });
}
