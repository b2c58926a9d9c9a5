// Streaming XML for the quality-gate's XML reports (Cobertura, JaCoCo, JUnit): saxes, fed chunk
// by chunk, builds no tree; the handlers keep what they need. saxes never fetches a DOCTYPE's
// external DTD (JaCoCo's points at report.dtd: quality-gates.md "JaCoCo"), so no entity is
// resolved from outside the file.
import { SaxesParser } from 'saxes';
import { ReportError, readChunks } from './report-file.ts';

export interface XmlHandlers {
  /** An element opens: its name and attributes (no namespaces). */
  readonly open: (name: string, attributes: Readonly<Record<string, string>>) => void;
  readonly close?: (name: string) => void;
  /** Text between tags (CDATA included); only called when set. */
  readonly text?: (text: string) => void;
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
  parser.on('opentag', (tag) => {
    try {
      handlers.open(tag.name, tag.attributes as Record<string, string>);
    } catch (error) {
      if (error instanceof ReportError) throw error;
      fail((error as Error).message);
    }
  });
  if (handlers.close) {
    const close = handlers.close;
    parser.on('closetag', (tag) => close(tag.name));
  }
  if (handlers.text) {
    parser.on('text', handlers.text);
    parser.on('cdata', handlers.text);
  }
  const decoder = new TextDecoder('utf-8');
  let seen = false;
  for await (const chunk of readChunks(file)) {
    const text = decoder.decode(chunk, { stream: true });
    if (!seen && text.trim() !== '') {
      seen = true;
      const first = text.search(/\S/);
      if (text[first] !== '<') {
        const before = text.slice(0, first).split('\n');
        throw new ReportError(file, 'not XML: the first character is not <', {
          line: before.length,
          column: before.at(-1)!.length + 1,
        });
      }
    }
    parser.write(text);
  }
  const tail = decoder.decode();
  if (tail !== '') parser.write(tail);
  if (!seen) throw new ReportError(file, 'the report is empty');
  parser.close();
}
