"""Several server processes, each with a listening socket of its own on the same port
(SO_REUSEPORT): the kernel spreads connections over them by address. With one shared socket
the first process to wake accepts every waiting connection, so one worker carried most of
the keep-alive connections while the other idled, and the look-ups' p99 paid for it."""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
import time
from typing import Any

import uvicorn

RESTART_PAUSE_S = 1.0  # a worker that dies is started again after this pause


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket on host:port that other processes may bind too (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


APP = "gridsvc.api.app:create_app"  # each worker builds its app from the GRIDSVC_* settings


def refuse_a_port_in_use(host: str, port: int) -> None:
    """Stop if something answers on host:port: SO_REUSEPORT would let a second server of the
    same user share the port silently (its requests split between the two)."""
    target = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    family = socket.AF_INET6 if ":" in target else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        if probe.connect_ex((target, port)) == 0:
            raise SystemExit(f"port {port} on {host} is already in use: stop that server first")
    listening_socket(host, port).close()  # a port we may not bind is reported here, once


def serve_one(app: str, options: dict[str, Any]) -> None:
    """One worker process: its own socket, its own app (`app` names a factory, or an app)."""
    sock = listening_socket(options["host"], options["port"])
    config = uvicorn.Config(app, factory=app == APP, **options)
    uvicorn.Server(config).run(sockets=[sock])


def serve_many(workers: int, options: dict[str, Any], app: str = APP) -> None:
    """Run `workers` processes until SIGINT or SIGTERM; a worker that dies is replaced."""
    refuse_a_port_in_use(options["host"], options["port"])
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(target=serve_one, args=(app, options), daemon=False)
        process.start()
        return process

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    processes = [start() for _ in range(workers)]
    while not stopping:
        time.sleep(0.2)
        for i, process in enumerate(processes):
            if not process.is_alive() and not stopping:
                print(
                    f"worker {process.pid} exited ({process.exitcode}); starting another",
                    file=sys.stderr,
                    flush=True,
                )
                time.sleep(RESTART_PAUSE_S)
                processes[i] = start()
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(15)
        if process.is_alive():
            process.kill()
