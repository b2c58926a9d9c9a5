// A tiny node:http server for what the AWS emulator cannot show: the raw headers an SDK client
// sends, and wire behaviour the emulator has no fault for (a response whose body stalls).
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface StubServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Stops listening and destroys every connection, stalled ones included. */
  close(): Promise<void>;
}

export type StubHandler = (request: RecordedRequest, res: ServerResponse) => void;

export async function startStubServer(handler: StubHandler): Promise<StubServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      handler(recorded, res);
    });
  });
  await listen(server);
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** An STS (query protocol) error body, as AWS sends it. */
export function stsErrorXml(code: string, message: string, requestId: string): string {
  return (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
    `<Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

/** A GetCallerIdentity success body. */
export function callerIdentityXml(arn: string, account: string, requestId: string): string {
  return (
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
    `<GetCallerIdentityResult><Arn>${arn}</Arn><UserId>AIDAEXAMPLE</UserId>` +
    `<Account>${account}</Account></GetCallerIdentityResult>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
    '</GetCallerIdentityResponse>'
  );
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released): connecting is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await listen(server);
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface UnresponsiveListener {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A listening port that never completes a new connection: a worker thread listens with a backlog
 * of 1 and then blocks its event loop, so nothing is accepted; the accept queue is filled with
 * idle connections, after which the kernel drops further SYNs and a client stays "connecting"
 * until its own connect timeout. (Non-routable addresses are no substitute: some networks answer
 * them through a proxy, others fail them at once.)
 */
export async function unresponsiveListener(): Promise<UnresponsiveListener> {
  const release = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const server = require('node:net').createServer();
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      parentPort.postMessage(server.address().port);
      Atomics.wait(workerData, 0, 0);
      server.close();
    });`,
    { eval: true, workerData: release },
  );
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (message: number) => resolve(message));
    worker.once('error', reject);
  });
  const fillers: Socket[] = [];
  const stop = async () => {
    for (const socket of fillers) socket.destroy();
    Atomics.store(release, 0, 1);
    Atomics.notify(release, 0);
    await exited;
  };
  // Connect until one connection stays pending: the accept queue is then full.
  for (let i = 0; ; i++) {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    fillers.push(socket);
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 150);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!connected) break;
    if (i >= 64) {
      await stop();
      throw new Error('the accept queue never filled: cannot make a connection hang here');
    }
  }
  return { url: `http://127.0.0.1:${port}`, close: stop };
}

function listen(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
