// Where a step under test may reach out to, recorded: one HTTP server that stands for the AWS
// endpoint, the OIDC token endpoint and a smoke-check URL (it refuses every request the way AWS
// and GitHub refuse, so a step that gets there fails fast), and one TCP listener that stands for the
// database (it records each connection and closes it).
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, type Socket, createServer as createTcpServer } from 'node:net';

export interface Recorder {
  /** The AWS endpoint (AWS_ENDPOINT_URL). */
  readonly awsUrl: string;
  /** ACTIONS_ID_TOKEN_REQUEST_URL. */
  readonly oidcUrl: string;
  /** An http:// URL under the recorder, e.g. for a smoke check. */
  readonly httpUrl: string;
  /** The database listener's port on 127.0.0.1. */
  readonly dbPort: number;
  /** What reached it so far: `HTTP <method> <path>` and `DB connection`. */
  readonly traffic: string[];
  /** The step's environment that points everything at the recorder. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

export async function startRecorder(): Promise<Recorder> {
  const traffic: string[] = [];
  const sockets = new Set<Socket>();
  const http = createHttpServer((request, response) => {
    traffic.push(`HTTP ${request.method} ${request.url}`);
    request.resume();
    request.on('end', () => {
      const query = String(request.headers['content-type']).includes('x-www-form-urlencoded');
      if (query) {
        response.writeHead(403, { 'content-type': 'text/xml' });
        response.end(
          '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>recorded and refused</Message></Error><RequestId>r</RequestId></ErrorResponse>',
        );
      } else {
        response.writeHead(403, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-errortype': 'AccessDeniedException',
        });
        response.end('{"__type":"AccessDeniedException","message":"recorded and refused"}');
      }
    });
  });
  http.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const db = createTcpServer((socket) => {
    traffic.push('DB connection');
    socket.destroy();
  });
  await Promise.all([
    new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve)),
    new Promise<void>((resolve) => db.listen(0, '127.0.0.1', resolve)),
  ]);
  const httpPort = (http.address() as AddressInfo).port;
  const dbPort = (db.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${httpPort}`;
  return {
    awsUrl: base,
    oidcUrl: `${base}/oidc/token?api-version=2.0`,
    httpUrl: `${base}/smoke`,
    dbPort,
    traffic,
    env: () => ({
      AWS_ENDPOINT_URL: base,
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_EC2_METADATA_DISABLED: 'true',
      ACTIONS_ID_TOKEN_REQUEST_URL: `${base}/oidc/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
    }),
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => http.close(() => resolve())),
        new Promise<void>((resolve) => db.close(() => resolve())),
      ]);
    },
  };
}
