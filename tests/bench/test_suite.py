"""The bench end to end at a tiny scale: generate, serve with gunicorn, run every scenario over HTTP.

Runs `python -m bench.suite` as `make bench` does (SQLite file, no peer, a few requests per
scenario), so the suite fails when the bench breaks: a scenario answering errors, the server not
starting, the report missing a scenario. Timings are not asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.load import Request, Scenario, percentile, rss_mb, run_scenario
from bench.scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parents[2]


def test_suite_runs_every_scenario_against_a_live_server(tmp_path):
    env = {**os.environ, "KEFU_BENCH_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    stem = tmp_path / "result"
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.suite", "--scale", "tiny", "--database-url",
         f"sqlite:///{tmp_path / 'bench.sqlite3'}", "--requests", "6", "--seconds", "20", "--concurrency", "2",
         "--output", str(stem)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-3000:]
    report = json.loads(stem.with_suffix(".json").read_text())
    results = {r["scenario"]: r for r in report["results"]}
    assert set(results) == set(SCENARIOS)
    for name, result in results.items():
        assert result["target"] == "kefu"
        assert result["errors"] == 0, (name, result["first_error"])
        assert result["requests"] == 6
        assert result["peak_rss_mb"] > 10  # the gunicorn master and its two workers
    sweep = report["jobs"]["sweep"]["kefu"]
    assert sweep["running_clocks"] > 0
    kpi = report["jobs"]["kpi_month"]
    assert kpi["indicators"] > 0 and kpi["with_value"] > 0
    visits = report["jobs"]["visit_generation"]
    assert visits["run1_created"] > 0
    assert visits["run2_created"] == 0
    assert "| intake" in stem.with_suffix(".md").read_text()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 200 if self.path.startswith("/ok") else 500
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def tiny_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_client_counts_errors_and_stops_at_the_request_bound(tiny_server):
    scenario = Scenario("mixed", lambda i: Request("GET", "/ok" if i % 4 else "/broken"))
    result = run_scenario(tiny_server, scenario, target="t", concurrency=3, max_requests=20, max_seconds=10, warmup=0)
    assert result.requests == 20
    assert result.errors == 5
    assert result.statuses == {"200": 15, "500": 5}
    assert "/broken -> 500" in result.first_error
    assert 0 < result.p50_ms <= result.p95_ms <= result.p99_ms <= result.max_ms


def test_client_talks_to_loopback_only():
    with pytest.raises(ValueError, match="loopback"):
        run_scenario("http://example.com", Scenario("x", lambda i: Request("GET", "/")), target="t")


def test_percentiles_and_memory():
    samples = [float(i) for i in range(1, 101)]
    assert percentile(samples, 0.5) == 50
    assert percentile(samples, 0.95) == 95
    assert percentile(samples, 0.99) == 99
    assert percentile([], 0.5) == 0
    assert rss_mb(os.getpid()) > 10
