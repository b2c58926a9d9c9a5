// Streaming XML for the quality-gate's XML reports (Cobertura, JaCoCo, JUnit): saxes, fed chunk
// by chunk, builds no tree; the handlers keep what they need. saxes never fetches a DOCTYPE's
// external DTD (JaCoCo's points at report.dtd: quality-gates.md "JaCoCo"), so no entity is
// resolved from outside the file.
import { SaxesParser } from 'saxes';
import { ReportError, readChunks } from './report-file.ts';

/**
 * How many bytes saxes is given at a time. saxes holds its whole input string while it parses
 * it, and a string alive across two scavenges is promoted to the old generation, where it stays
 * until a full GC. Small pieces keep that garbage small: on a 50 MB JUnit report, peak RSS was
 * about 240 MB with 32-64 KiB pieces, 160 MB with 4 KiB and 120 MB with 1 KiB, at the same
 * speed (bench/README.md, "Quality-gate report parsers").
 */
export const XML_PIECE = 1024;

export interface XmlHandlers {
  /** An element opens: its name and attributes (no namespaces). */
  readonly open: (
    name: string,
    attributes: Readonly<Record<string, string>>,
    text: TextCapture,
  ) => void;
  readonly close?: (name: string, text: TextCapture) => void;
  /** Text between tags (CDATA included), while capture is on. */
  readonly text?: (text: string) => void;
}

/**
 * Turns the text handler on and off. Off by default: saxes then builds no string for the text
 * of a report (whitespace between tags, stack traces, logs), most of a JUnit file's bytes.
 */
export interface TextCapture {
  capture(on: boolean): void;
}

/**
 * Parses an XML report with the handlers, one chunk in memory at a time. Malformed XML, or a
 * handler's complaint, is a ReportError naming the file, line and column.
 */
export async function readXml(file: string, handlers: XmlHandlers): Promise<void> {
  const parser = new SaxesParser({ position: true });
  const fail = (message: string): never => {
    throw new ReportError(file, message, { line: parser.line, column: parser.column + 1 });
  };
  parser.on('error', (error) => fail(error.message.replace(/^\d+:\d+: /, '')));
  const text = handlers.text;
  const capture: TextCapture = {
    capture(on) {
      if (!text) return;
      if (on) {
        parser.on('text', text);
        parser.on('cdata', text);
      } else {
        parser.off('text');
        parser.off('cdata');
      }
    },
  };
  parser.on('opentag', (tag) => {
    try {
      handlers.open(tag.name, tag.attributes as Record<string, string>, capture);
    } catch (error) {
      if (error instanceof ReportError) throw error;
      fail((error as Error).message);
    }
  });
  if (handlers.close) {
    const close = handlers.close;
    parser.on('closetag', (tag) => close(tag.name, capture));
  }
  const decoder = new TextDecoder('utf-8');
  let seen = false;
  for await (const read of readChunks(file)) {
    for (let from = 0; from < read.length; from += XML_PIECE) {
      const chunk = read.subarray(from, from + XML_PIECE);
      const chunkText = decoder.decode(chunk, { stream: true });
      if (!seen && chunkText.trim() !== '') {
        seen = true;
        const first = chunkText.search(/\S/);
        if (chunkText[first] !== '<') {
          const before = chunkText.slice(0, first).split('\n');
          throw new ReportError(file, 'not XML: the first character is not <', {
            line: before.length,
            column: before.at(-1)!.length + 1,
          });
        }
      }
      parser.write(chunkText);
    }
  }
  const tail = decoder.decode();
  if (tail !== '') parser.write(tail);
  if (!seen) throw new ReportError(file, 'the report is empty');
  parser.close();
}
