"""The bench data generator: a registry of generators, each filling one part of the company.

    python -m bench.generate --scale 10k --database-url postgres://postgres@127.0.0.1:5432/kefu_benchsuite

A generator is a function `(ctx: Context) -> dict` registered with `@generator("name", after=(...))`;
`generate()` runs every registered generator once, dependencies first. Modules of later apps
(orders and shipments, visits, surveys) add theirs in their own file under `bench/data/` and list
it in `GENERATOR_MODULES`; they read what earlier generators produced from `ctx.shared` (e.g.
`ctx.shared["customer_ids"]`) and write rows with `ctx.writer` (COPY on PostgreSQL, batched
`executemany` on SQLite).

Rows are written set-based, never through the services (those would take hours), but with the
same invariants the services keep (numbers, search tokens, clocks, audit rows); the tests in
`tests/bench/` open the generated records through the app's own selectors to check it.
Deterministic: the same seed, scale and `now` produce the same rows.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

# Cases per scale name; the other volumes follow from the number of cases (see `Plan`).
SCALES = {"tiny": 300, "1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}

# Modules whose import registers generators, in no particular order (`after` orders them).
GENERATOR_MODULES = (
    "bench.data.people",
    "bench.data.tickets",
    "bench.data.operations",
    "bench.data.visits",
    "bench.data.surveys",
    "bench.data.standards",
)


@dataclass(frozen=True)
class Plan:
    """How much of everything to make for a number of cases."""

    cases: int
    shipments_wanted: int | None = None  # `--shipments`; by default as many shipments as cases

    @property
    def shipments(self) -> int:
        return self.cases if self.shipments_wanted is None else self.shipments_wanted

    @property
    def customers(self) -> int:
        # About 10 cases a customer a year at the small end, 20 at 1m (a big carrier's key accounts).
        return max(50, min(self.cases // 10, 50_000))

    @classmethod
    def for_scale(cls, scale: str, shipments: int | None = None) -> Plan:
        if scale in SCALES:
            return cls(SCALES[scale], shipments)
        if scale.isdigit():
            return cls(int(scale), shipments)
        raise ValueError(f"unknown scale {scale!r}: one of {', '.join(SCALES)} or a number of cases")


@dataclass
class Context:
    plan: Plan
    seed: int
    now: dt.datetime
    writer: Writer
    shared: dict[str, Any] = field(default_factory=dict)
    log: Callable[[str], None] = print

    def rng(self, name: str) -> random.Random:
        """A random stream of its own per generator, so adding one does not change the others."""
        return random.Random(f"{self.seed}:{name}")


@dataclass(frozen=True)
class Generator:
    name: str
    run: Callable[[Context], dict[str, Any]]
    after: tuple[str, ...] = ()


GENERATORS: dict[str, Generator] = {}


def generator(name: str, *, after: Sequence[str] = ()) -> Callable[[Callable[[Context], dict[str, Any]]], Any]:
    """Register `fn` as the generator `name`, to run after the generators named in `after`."""

    def register(fn: Callable[[Context], dict[str, Any]]) -> Callable[[Context], dict[str, Any]]:
        GENERATORS[name] = Generator(name=name, run=fn, after=tuple(after))
        return fn

    return register


def ordered(names: Iterable[str] | None = None) -> list[Generator]:
    """The generators to run (all by default, or `names` and what they need), dependencies first."""
    for module in GENERATOR_MODULES:
        importlib.import_module(module)
    wanted = list(names) if names else list(GENERATORS)
    done: list[Generator] = []
    seen: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in seen:
            return
        if name in path:
            raise ValueError(f"generator cycle: {' -> '.join((*path, name))}")
        if name not in GENERATORS:
            raise ValueError(f"no generator named {name!r}")
        for dependency in GENERATORS[name].after:
            visit(dependency, (*path, name))
        seen.add(name)
        done.append(GENERATORS[name])

    for name in wanted:
        visit(name, ())
    return done


def generate(
    *,
    scale: str,
    seed: int = 2026,
    now: dt.datetime | None = None,
    only: Iterable[str] | None = None,
    log: Callable[[str], None] = print,
    shipments: int | None = None,
) -> dict[str, Any]:
    """Fill the configured database (already migrated) at `scale`; returns what each generator made."""
    from django.db import connection
    from django.utils import timezone

    ctx = Context(
        plan=Plan.for_scale(scale, shipments),
        seed=seed,
        now=now or timezone.now().replace(microsecond=0),
        writer=Writer(connection),
        log=log,
    )
    report: dict[str, Any] = {"scale": scale, "cases_planned": ctx.plan.cases, "seed": seed, "now": ctx.now.isoformat()}
    for gen in ordered(only):
        started = time.perf_counter()
        made = gen.run(ctx)
        seconds = round(time.perf_counter() - started, 1)
        report[gen.name] = {**made, "seconds": seconds}
        log(f"  {gen.name}: {made} in {seconds} s")
    started = time.perf_counter()
    ctx.writer.analyze()
    report["analyze_s"] = round(time.perf_counter() - started, 1)
    return report


# --------------------------------------------------------------------------- writing rows


def _same(value: Any) -> Any:
    return value


def columns(names: str) -> list[str]:
    """Column (attribute) names written as one space-separated string."""
    return names.split()


class Writer:
    """Set-based inserts of model rows: COPY on PostgreSQL, executemany on SQLite.

    `insert(Model, fields, rows)` takes tuples in the order of `fields` (attribute names such as
    "customer_id"); every other concrete column gets the field's default, so a column added to a
    model later does not break the generator. Ids are allocated by the caller with `next_ids`.
    """

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.vendor = connection.vendor

    def next_id(self, model: Any) -> int:
        from django.db.models import Max

        return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def _columns(self, model: Any, fields: Sequence[str]) -> tuple[list[str], list[Callable[[Any], Any]], list[Any]]:
        from django.db import models

        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(fields) - set(by_attname)
        if unknown:
            raise ValueError(f"{model.__name__} has no column {sorted(unknown)}")
        rest = [f for f in model._meta.concrete_fields if f.attname not in fields and not f.primary_key]
        columns, converters, defaults = [], [], []
        for f in [by_attname[name] for name in fields] + rest:
            columns.append(f.column)
            if isinstance(f, models.JSONField):
                converters.append(lambda v: v if v is None else json.dumps(v, ensure_ascii=False))
            elif isinstance(f, models.DateTimeField) and self.vendor == "sqlite":
                adapt = self.connection.ops.adapt_datetimefield_value
                converters.append(adapt)
            elif isinstance(f, models.DecimalField) and self.vendor == "sqlite":
                converters.append(lambda v: v if v is None else str(v))
            else:
                converters.append(_same)
        for f in rest:
            default = None if (f.null and not f.has_default()) else f.get_default()
            defaults.append(default)
        return columns, converters, defaults

    def insert(self, model: Any, fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        columns, converters, defaults = self._columns(model, fields)
        tail = tuple(defaults)
        # Convert only the columns that need it (JSON everywhere; dates and decimals on SQLite).
        convert = [(i, c) for i, c in enumerate(converters) if c is not _same]

        def prepare(row: Sequence[Any]) -> tuple[Any, ...]:
            values = (*row, *tail)
            if not convert:
                return values
            changed = list(values)
            for i, c in convert:
                changed[i] = c(changed[i])
            return tuple(changed)

        prepared: Iterator[tuple[Any, ...]] = map(prepare, rows)
        table = model._meta.db_table
        quote = self.connection.ops.quote_name
        names = ", ".join(quote(c) for c in columns)
        count = 0
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                    for row in prepared:
                        copy.write_row(row)
                        count += 1
            else:
                sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
                batch: list[tuple[Any, ...]] = []
                for row in prepared:
                    batch.append(row)
                    if len(batch) >= 10_000:
                        cursor.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    count += len(batch)
        return count

    def reset_sequences(self, *models: Any) -> None:
        """After explicit ids: move PostgreSQL's id sequences past them (SQLite does it by itself)."""
        from django.core.management.color import no_style

        statements = self.connection.ops.sequence_reset_sql(no_style(), list(models))
        with self.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    @contextmanager
    def bulk_load(self, *models: Any) -> Iterator[None]:
        """On PostgreSQL: drop the secondary indexes of `models` while loading and rebuild them after,
        and skip the per-row foreign-key triggers (the generator writes consistent rows; the tests
        check that on SQLite, which does check them). A no-op on SQLite."""
        if self.vendor != "postgresql":
            yield
            return
        tables = [m._meta.db_table for m in models]
        with self.connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
                """,
                [tables],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {self.connection.ops.quote_name(name)}")
            cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            with self.connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
                cursor.execute("SET maintenance_work_mem = '256MB'")
                for _name, definition in indexes:
                    cursor.execute(definition)

    def analyze(self) -> None:
        # VACUUM (which sets the visibility map index-only scans rely on) cannot run inside a
        # transaction, as in the tests; ANALYZE alone can.
        vacuum = self.vendor == "postgresql" and not self.connection.in_atomic_block
        with self.connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
