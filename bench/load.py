"""The load client: named scenarios over HTTP with a fixed concurrency, against a loopback server.

A `Scenario` is a name and a function from the request index to a `Request` (so a scenario can
rotate over filters, words or payloads). `run_scenario` sends them from `concurrency` threads,
one connection per request (gunicorn's sync workers close every connection), until
`max_requests` are sent or `max_seconds` have passed, and reports throughput, p50/p95/p99,
errors (unexpected status, refused or timed-out connections) and the peak resident memory of
the server processes (the gunicorn master and its workers, sampled from /proc every 50 ms).

`Server` starts a command (gunicorn) on a free loopback port, waits until it answers and stops
it afterwards. Only loopback addresses are accepted.
"""

from __future__ import annotations

import contextlib
import http.client
import math
import os
import signal
import socket
import statistics
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    expect: tuple[int, ...] = (200,)


@dataclass(frozen=True)
class Scenario:
    name: str
    make: Callable[[int], Request]
    description: str = ""
    per_request: int = 1  # records each request creates (a batch of cases): reported as items/s


@dataclass
class Result:
    scenario: str
    target: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    per_second: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    peak_rss_mb: float = 0.0
    per_request: int = 1
    items_per_second: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    first_error: str = ""
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(sorted_samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted samples (0 when there are none)."""
    if not sorted_samples:
        return 0.0
    index = min(len(sorted_samples) - 1, max(0, math.ceil(fraction * len(sorted_samples)) - 1))
    return sorted_samples[index]


def check_loopback(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError(f"the load client only talks to http on loopback, not {base_url!r}")
    return parts.hostname, parts.port or 80


# --------------------------------------------------------------------------- memory


def _descendants(pid: int) -> list[int]:
    found = [pid]
    index = 0
    while index < len(found):
        current = found[index]
        index += 1
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            found.extend(int(c) for c in children)
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` and all its descendants, in MiB (0 when it is gone)."""
    total_kb = 0
    for process in _descendants(pid):
        try:
            for line in Path(f"/proc/{process}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
                    break
        except OSError:
            continue
    return round(total_kb / 1024, 1)


class RssSampler:
    """Peak resident memory of a process tree while the `with` block runs."""

    def __init__(self, pid: int | None, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.pid:
                self.peak = max(self.peak, rss_mb(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        if self.pid:
            self.peak = max(self.peak, rss_mb(self.pid))


# --------------------------------------------------------------------------- the client


def send(host: str, port: int, request: Request, *, timeout: float) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        headers = {"Host": f"{host}:{port}", "Connection": "close", **request.headers}
        connection.request(request.method, request.path, body=request.body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def run_scenario(
    base_url: str,
    scenario: Scenario,
    *,
    target: str,
    concurrency: int = 8,
    max_requests: int = 200,
    max_seconds: float = 30.0,
    server_pid: int | None = None,
    timeout: float = 300.0,
    warmup: int = 2,
) -> Result:
    """Send the scenario's requests from `concurrency` threads; bounded in requests and in time.

    `warmup` requests are sent first, one after the other, and not counted (each server worker
    loads its templates and URL patterns on its first request)."""
    host, port = check_loopback(base_url)
    for index in range(warmup):
        with contextlib.suppress(OSError):
            send(host, port, scenario.make(max_requests + index), timeout=timeout)
    lock = threading.Lock()
    counter = iter(range(max_requests))
    samples: list[float] = []
    statuses: Counter[str] = Counter()
    errors = [0]
    first_error = [""]
    deadline = time.perf_counter() + max_seconds

    def worker() -> None:
        while time.perf_counter() < deadline:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            request = scenario.make(index)
            started = time.perf_counter()
            try:
                status, body = send(host, port, request, timeout=timeout)
                label = str(status)
                ok = status in request.expect
            except OSError as exc:
                status, body, label, ok = 0, str(exc).encode(), type(exc).__name__, False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                samples.append(elapsed)
                statuses[label] += 1
                if not ok:
                    errors[0] += 1
                    if not first_error[0]:
                        first_error[0] = f"{request.method} {request.path} -> {label}: {body[:200]!r}"

    wall = time.perf_counter()
    with RssSampler(server_pid) as sampler:
        threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    seconds = time.perf_counter() - wall
    samples.sort()
    return Result(
        scenario=scenario.name,
        target=target,
        requests=len(samples),
        errors=errors[0],
        seconds=round(seconds, 2),
        per_second=round(len(samples) / seconds, 2) if seconds else 0.0,
        p50_ms=round(statistics.median(samples), 1) if samples else 0.0,
        p95_ms=round(percentile(samples, 0.95), 1),
        p99_ms=round(percentile(samples, 0.99), 1),
        max_ms=round(samples[-1], 1) if samples else 0.0,
        peak_rss_mb=sampler.peak,
        per_request=scenario.per_request,
        items_per_second=round((len(samples) - errors[0]) * scenario.per_request / seconds, 2) if seconds else 0.0,
        statuses=dict(statuses),
        first_error=first_error[0],
    )


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A server process on loopback (`{port}` in the command is replaced), stopped on exit."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: str | Path | None = None,
        ready_path: str = "/",
        log_path: Path | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        self.port = free_port()
        self.command = [part.replace("{port}", str(self.port)) for part in command]
        self.env = {**os.environ, **env}
        self.cwd = cwd
        self.ready_path = ready_path
        self.log_path = log_path
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def __enter__(self) -> Server:
        log = self.log_path.open("ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(self.command, env=self.env, cwd=self.cwd, stdout=log, stderr=log)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {' '.join(self.command)}")
            try:
                status, _ = send("127.0.0.1", self.port, Request("GET", self.ready_path), timeout=5)
                if status < 500:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"server did not answer within {self.start_timeout} s: {' '.join(self.command)}")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def gunicorn_command(
    gunicorn: str | Path, wsgi: str, *, workers: int = 2, threads: int = 1, timeout: int = 300
) -> list[str]:
    """gunicorn with `workers` sync workers on 127.0.0.1:{port}, the same settings for both systems;
    with `threads` > 1, threaded workers (gthread) that overlap one request's database waits with
    another's Python."""
    return [
        str(gunicorn),
        wsgi,
        "--bind",
        "127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync" if threads == 1 else "gthread",
        "--threads",
        str(threads),
        "--timeout",
        str(timeout),
        "--backlog",
        "256",
    ]
