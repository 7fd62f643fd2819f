"""In-process timing of the standards KPI page (`/standards/`, last month, as csmanager) and its trend
charts on a generated database, with the snapshot job when the code has one.

    .venv/bin/python -m bench.kpi_page --database-url postgres://postgres@127.0.0.1:5432/kefu_kpi_bench

The database comes from `bench.generate` (any scale). With stored KPI figures (`KpiSnapshot`), the script
first deletes them and times the periodic job's work from nothing (`kpi_snapshots_refresh(inline=True)`,
measuring here what the worker measures one task per period: every period the page offers and the 13
months of its trend charts), the job again (nothing to do), and `kpi_snapshot_compute`
for last month three times. `--checkout <dir>` times the page as another checkout's code serves it
(e.g. one from before the snapshots, which computed every indicator on each view). Prints the median and
p95 of `--runs` page views, the queries of one, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench import customers


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--checkout", help="import kefu from this checkout's src/ instead of this one's")
    args = parser.parse_args(argv)
    if args.checkout:
        customers.ROOT = Path(args.checkout)  # configure_django puts ROOT/src first on the path
    customers.configure_django(args.database_url)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    import kefu
    from kefu.accounts.models import User
    from kefu.standards import services
    from kefu.standards.selectors import default_period

    result: dict[str, Any] = {"code": kefu.__file__, "load_before": os.getloadavg()}
    start, end = default_period(timezone.localdate())
    if hasattr(services, "kpi_snapshots_refresh"):
        from kefu.standards.models import KpiSnapshot

        KpiSnapshot.objects.all().delete()
        started = time.perf_counter()
        result["job_periods"] = len(services.kpi_snapshots_refresh(inline=True))
        result["job_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        result["job_again_periods"] = len(services.kpi_snapshots_refresh(inline=True))
        result["job_again_s"] = round(time.perf_counter() - started, 3)
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            services.kpi_snapshot_compute(actor=None, start=start, end=end)
            runs.append(round(time.perf_counter() - started, 2))
        result["snapshot_last_month_s"] = runs
    client = Client()
    client.force_login(User.objects.get(username="csmanager"))
    assert client.get("/standards/").status_code == 200  # noqa: S101  (warm-up, and a check)
    with CaptureQueriesContext(connection) as queries:
        client.get("/standards/")
    result["queries"] = len(queries.captured_queries)
    samples = []
    for _ in range(args.runs):
        started = time.perf_counter()
        client.get("/standards/")
        samples.append((time.perf_counter() - started) * 1000)
    result["page_median_ms"] = round(statistics.median(samples), 1)
    result["page_p95_ms"] = round(_p95(samples), 1)
    started = time.perf_counter()
    client.get("/standards/kpi/trends/")
    result["trends_s"] = round(time.perf_counter() - started, 2)
    result["period"] = f"{start}..{end}"
    result["load_after"] = os.getloadavg()
    print(result, flush=True)
    return result


if __name__ == "__main__":
    main()
