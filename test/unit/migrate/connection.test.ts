// Giving up a connection still being made (plan and apply connect while the files are parsed, and
// give up when a file fails): the socket closes at once, not at connect-timeout. The test fails
// by jest's timeout if it does not.
import { it } from '@jest/globals';
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { connect } from '../../../src/migrate/connection.ts';

it('an aborted signal closes the socket of a connection the server never answers', async () => {
  let accepted: (socket: Socket) => void = () => {};
  const socket = new Promise<Socket>((resolve) => (accepted = resolve));
  // A server that takes the connection and never answers PostgreSQL's startup message.
  const server = createServer((s) => accepted(s.on('data', () => {}))).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const giveUp = new AbortController();
    const connecting = connect(
      {
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        user: 'app',
        password: 'pw',
        database: 'shop',
        tls: false,
      },
      { applicationName: 'test', connectTimeoutMs: 600_000, signal: giveUp.signal },
    );
    connecting.catch(() => {});
    const serverSide = await socket;
    const closed = new Promise((resolve) => serverSide.once('close', resolve));
    giveUp.abort();
    await closed;
  } finally {
    server.close();
  }
});
