#!/usr/bin/env python3
"""A TCP proxy that delays every chunk by DELAY_MS in each direction: a database on another
machine, RTT = 2 * DELAY_MS, for bench/history-apply.ts --rtt-ms.

    python3 delay-proxy.py <listen-port> <target-host> <target-port> <delay-ms>

Prints "ready <port>" once listening (port 0: one chosen by the kernel). Each direction of each
connection has a reader thread (recv, timestamp on arrival) and a writer thread that sleeps until
arrival + delay and sends: the delay is counted from when a chunk arrives, so a burst of chunks
is delayed once, not once per chunk, and the waits are sleeps (no CPU spent waiting), accurate to
about 0.1 ms (time.sleep is clock_nanosleep). Node's timers have 1 ms steps, too coarse for 0.25 ms.
"""
import queue
import socket
import sys
import threading
import time


def pump(source, target, delay):
    chunks = queue.SimpleQueue()

    def read():
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            chunks.put((time.monotonic() + delay, data))
            if not data:
                return

    def write():
        while True:
            due, data = chunks.get()
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            if not data:
                try:
                    target.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            try:
                target.sendall(data)
            except OSError:
                return

    threading.Thread(target=read, daemon=True).start()
    threading.Thread(target=write, daemon=True).start()


def main():
    listen_port, host, port, delay_ms = sys.argv[1:5]
    delay = float(delay_ms) / 1000
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", int(listen_port)))
    server.listen(64)
    print(f"ready {server.getsockname()[1]}", flush=True)
    while True:
        client, _ = server.accept()
        upstream = socket.create_connection((host, int(port)))
        for s in (client, upstream):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pump(client, upstream, delay)
        pump(upstream, client, delay)


if __name__ == "__main__":
    main()
