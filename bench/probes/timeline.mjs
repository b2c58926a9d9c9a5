// Preload (`node --import ./bench/probes/timeline.mjs …`): marks on a per-thread timeline, written
// as JSON lines to $TIMELINE_FILE at the thread's exit. Times are ms since the process started
// (performance.timeOrigin of the main thread, passed to workers in $TIMELINE_ORIGIN); CPU is the
// thread's own (process.threadCpuUsage). Marks: the preload itself (node's start), each bundle
// file's load, the worker's start and its messages, the socket's connect, writes, reads, end and
// close, each line printed, beforeExit and the exit. bench/history-timeline.ts runs it and sums the
// runs up.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import net from 'node:net';
import { isMainThread, threadId } from 'node:worker_threads';
import workerThreads from 'node:worker_threads';

const file = process.env.TIMELINE_FILE;
if (isMainThread) process.env.TIMELINE_ORIGIN = String(performance.timeOrigin);
const origin = Number(process.env.TIMELINE_ORIGIN ?? performance.timeOrigin);
const marks = [];
const cpu = () => {
  const { user, system } = process.threadCpuUsage();
  return Math.round((user + system) / 100) / 10;
};
export const mark = (what) =>
  marks.push({
    what,
    t: Math.round((performance.timeOrigin + performance.now() - origin) * 10) / 10,
    cpu: cpu(),
  });

mark('preload');

registerHooks({
  load(url, context, nextLoad) {
    if (url.includes('/dist/')) mark(`load ${url.slice(url.lastIndexOf('/') + 1)}`);
    return nextLoad(url, context);
  },
});

const { write, connect } = net.Socket.prototype;
let writes = 0;
net.Socket.prototype.connect = function (...args) {
  mark('socket connect');
  this.on('data', () => mark('socket data'));
  this.on('end', () => mark('socket end'));
  this.on('close', () => mark('socket close'));
  return connect.apply(this, args);
};
net.Socket.prototype.write = function (...args) {
  if (this !== process.stdout && this !== process.stderr) mark(`socket write ${++writes}`);
  return write.apply(this, args);
};
for (const stream of [process.stdout, process.stderr]) {
  const original = stream.write;
  stream.write = function (chunk, ...rest) {
    mark(`print ${String(chunk).split('\n')[0].slice(0, 48)}`);
    return original.call(this, chunk, ...rest);
  };
}

if (isMainThread) {
  const Original = workerThreads.Worker;
  workerThreads.Worker = class extends Original {
    constructor(...args) {
      mark('worker new');
      super(...args);
      mark('worker constructed');
      this.on('message', (m) => mark(`from worker ${m?.type}`));
      this.on('exit', () => mark('worker exit'));
    }
  };
} else if (workerThreads.parentPort) {
  workerThreads.parentPort.on('message', () => mark('worker got message'));
}

const flush = () => {
  mark('exit');
  if (file) appendFileSync(file, `${JSON.stringify({ thread: threadId, marks })}\n`);
};
process.on('beforeExit', () => mark('beforeExit'));
process.on('exit', flush);
