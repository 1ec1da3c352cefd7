"""`make bench`: the benchmark runner. Each capability adds a module `bench/cases_<name>.py`:

    def setup(ctx: BenchContext) -> None
        Fill its tables at ctx.scale (idempotent: check first, fill with ctx.copy(), which uses COPY).
    def cases(ctx: BenchContext) -> list[Case]
        Case(name, fn, repeat=..., baseline="other case name", target_p95_ms=..., note=...)

The runner uses its own database (`<name>_bench`), prints p50 and p95 of every case and, for a case
with a baseline, the ratio of its p50 to the baseline's p50 measured in the same run (shared
machines are noisy; ratios within one run are what we compare).
"""
