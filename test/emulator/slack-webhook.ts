// A stand-in for Slack's incoming webhooks: a local HTTP server that records what is posted and
// answers as Slack does (a short plain-text body): 200 "ok"; 404 "no_service" for a webhook that
// does not exist (or was revoked); 400 "invalid_payload" for a body that is not JSON (or a
// `payload=` form field of JSON) with `text` or `blocks`; 400 "invalid_blocks" for blocks over
// Block Kit's limits (a header's text over 150 characters, a section's over 3,000, more than 10
// fields or one over 2,000, more than 50 blocks). A test can make a webhook answer otherwise.
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';

export interface SlackPost {
  /** The webhook's path, /services/T…/B…/secret. */
  readonly path: string;
  readonly contentType: string;
  readonly body: string;
  /** The parsed message, when it was one. */
  readonly message: Record<string, unknown> | undefined;
  readonly status: number;
  readonly answer: string;
}

export interface SlackStandIn {
  readonly origin: string;
  /** Every request, accepted or not, in order. */
  readonly posts: SlackPost[];
  /** A new webhook's URL (its path holds a random secret, as Slack's do). */
  createWebhook(): string;
  /** The webhook is gone: it answers 404 no_service from now on. */
  revoke(url: string): void;
  /** Makes the next answers of a webhook this status and body (e.g. 500 rollup_error). */
  answerWith(url: string, status: number, body: string): void;
  close(): Promise<void>;
}

export async function startSlackStandIn(): Promise<SlackStandIn> {
  const hooks = new Map<string, { status: number; body: string } | 'ok'>();
  const posts: SlackPost[] = [];

  function answer(req: IncomingMessage, res: ServerResponse, body: string): void {
    const path = (req.url ?? '/').split('?')[0]!;
    const contentType = String(req.headers['content-type'] ?? '');
    const hook = hooks.get(path);
    let status: number;
    let text: string;
    let message: Record<string, unknown> | undefined;
    if (req.method !== 'POST') {
      [status, text] = [405, 'invalid_method'];
    } else if (hook === undefined) {
      [status, text] = [404, 'no_service'];
    } else {
      message = parseMessage(contentType, body);
      if (message === undefined) [status, text] = [400, 'invalid_payload'];
      else if (!blocksFit(message['blocks'])) [status, text] = [400, 'invalid_blocks'];
      else if (hook !== 'ok') [status, text] = [hook.status, hook.body];
      else [status, text] = [200, 'ok'];
    }
    posts.push({ path, contentType, body, message, status, answer: text });
    res.writeHead(status, {
      'content-type': 'text/html',
      'content-length': String(Buffer.byteLength(text)),
    });
    res.end(text);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const origin = `http://127.0.0.1:${address.port}`;
  const pathOf = (url: string) => new URL(url).pathname;
  return {
    origin,
    posts,
    createWebhook() {
      const id = (n: number) => randomBytes(n).toString('hex').toUpperCase().slice(0, n);
      const path = `/services/T${id(8)}/B${id(10)}/${randomBytes(12).toString('base64url')}`;
      hooks.set(path, 'ok');
      return `${origin}${path}`;
    },
    revoke: (url) => void hooks.delete(pathOf(url)),
    answerWith: (url, status, body) => void hooks.set(pathOf(url), { status, body }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function parseMessage(contentType: string, body: string): Record<string, unknown> | undefined {
  let json: string | null = body;
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    json = new URLSearchParams(body).get('payload');
  } else if (!contentType.startsWith('application/json')) {
    return undefined;
  }
  if (json === null) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const message = value as Record<string, unknown>;
    const hasText = typeof message['text'] === 'string' && message['text'] !== '';
    const hasBlocks = Array.isArray(message['blocks']) && message['blocks'].length > 0;
    return hasText || hasBlocks ? message : undefined;
  } catch {
    return undefined;
  }
}

function blocksFit(blocks: unknown): boolean {
  if (blocks === undefined) return true;
  if (!Array.isArray(blocks) || blocks.length > 50) return false;
  const textOf = (t: unknown) =>
    typeof t === 'object' && t !== null && typeof (t as { text?: unknown }).text === 'string'
      ? (t as { text: string }).text
      : undefined;
  return blocks.every((block: unknown) => {
    if (typeof block !== 'object' || block === null) return false;
    const b = block as Record<string, unknown>;
    switch (b['type']) {
      case 'header': {
        const text = textOf(b['text']);
        return text !== undefined && text.length <= 150;
      }
      case 'section': {
        const text = b['text'] === undefined ? '' : textOf(b['text']);
        const fields = b['fields'] ?? [];
        return (
          text !== undefined &&
          text.length <= 3000 &&
          Array.isArray(fields) &&
          fields.length <= 10 &&
          fields.every((f) => (textOf(f)?.length ?? 2001) <= 2000) &&
          (text !== '' || fields.length > 0)
        );
      }
      case 'context': {
        const elements = b['elements'];
        return Array.isArray(elements) && elements.length >= 1 && elements.length <= 10;
      }
      case 'divider':
        return true;
      default:
        return false;
    }
  });
}
