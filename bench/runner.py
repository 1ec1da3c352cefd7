"""Timing, the context given to case modules, and the report."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field


@dataclass
class Case:
    name: str
    fn: Callable[[], object]
    repeat: int = 300
    warmup: int = 20
    baseline: str | None = None
    target_p95_ms: float | None = None
    target_ratio: float | None = None
    target_added_ms: float | None = None  # p50(case) - p50(baseline) at most this
    note: str = ""


@dataclass
class Result:
    case: Case
    samples_ms: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.samples_ms, n=20, method="inclusive")[18]


@dataclass
class BenchContext:
    scale: int  # the number of guests; other tables scale from it
    quick: bool

    def copy(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
        """Bulk-load rows with COPY (the fast path: ~100k rows/s here)."""
        from django.db import connection

        n = 0
        cols = ", ".join(columns)
        connection.ensure_connection()
        with connection.connection.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        return n

    def count(self, table: str) -> int:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            row = cur.fetchone()
            estimate = row[0] if row else 0
            if estimate and estimate > 0:
                return estimate
            cur.execute(f"SELECT count(*) FROM {table}")
            return cur.fetchone()[0]

    def analyze(self, *tables: str) -> None:
        from django.db import connection

        with connection.cursor() as cur:
            for t in tables:
                cur.execute(f"ANALYZE {t}")


def run_case(case: Case) -> Result:
    for _ in range(case.warmup):
        case.fn()
    result = Result(case)
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(case.repeat):
            t0 = time.perf_counter_ns()
            case.fn()
            result.samples_ms.append((time.perf_counter_ns() - t0) / 1e6)
    finally:
        if gc_was:
            gc.enable()
    return result


def report(results: list[Result]) -> tuple[str, bool]:
    by_name = {r.case.name: r for r in results}
    lines = [f"{'case':<52} {'n':>5} {'p50 ms':>9} {'p95 ms':>9}  vs baseline / target"]
    all_ok = True
    for r in results:
        notes = []
        ok = True
        if r.case.baseline and r.case.baseline in by_name:
            base = by_name[r.case.baseline]
            ratio = r.p50 / base.p50 if base.p50 else float("inf")
            added = r.p50 - base.p50
            notes.append(f"{ratio:.2f}x of {r.case.baseline} (+{added:.3f} ms at p50)")
            if r.case.target_ratio is not None and ratio > r.case.target_ratio:
                ok = False
            if r.case.target_added_ms is not None:
                notes.append(f"target +<= {r.case.target_added_ms} ms")
                ok = ok and added <= r.case.target_added_ms
        if r.case.target_p95_ms is not None:
            notes.append(f"target p95 < {r.case.target_p95_ms} ms")
            ok = ok and r.p95 < r.case.target_p95_ms
        if notes:
            notes.append("OK" if ok else "MISSED")
        all_ok = all_ok and ok
        lines.append(
            f"{r.case.name:<52} {len(r.samples_ms):>5} {r.p50:>9.3f} {r.p95:>9.3f}  {'; '.join(notes)}"
        )
    return "\n".join(lines), all_ok
