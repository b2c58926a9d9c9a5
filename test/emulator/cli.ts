// Runs the emulator standalone for local rehearsals:
//   node test/emulator/cli.ts --port 4566 --config emulator.json
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseConfigFile, type EmulatorConfigFile } from './config.ts';
import { startEmulator } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4566' },
    config: { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`emulator: --port must be 0..65535, got ${values.port}`);
  process.exitCode = 2;
} else {
  try {
    const config: EmulatorConfigFile =
      values.config === undefined
        ? {}
        : parseConfigFile(JSON.parse(await readFile(values.config, 'utf8')));
    const emulator = await startEmulator({
      port,
      ...(config.sts === undefined ? {} : { sts: config.sts }),
    });
    console.log(`emulator listening on ${emulator.url}`);
    const stop = () => void emulator.close();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (error) {
    console.error(`emulator: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
