"""Run the benchmarks: `python -m bench [--quick] [--scale N] [--modules a,b] [--only substring]`."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def _bench_database_url() -> str:
    sys.path.insert(0, str(ROOT / "scripts"))
    from ensure_db import database_url

    url = urlparse(os.environ.get("BENCH_DATABASE_URL") or database_url())
    name = url.path.lstrip("/") or "pms"
    if not name.endswith("_bench"):
        name = f"{name}_bench"
    return url._replace(path=f"/{name}").geturl()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="small data (10,000 guests), for trying a case out"
    )
    parser.add_argument("--scale", type=int, default=None, help="number of guests (default 1,000,000)")
    parser.add_argument("--only", default="", help="run only cases whose name contains this")
    parser.add_argument(
        "--modules",
        default="",
        help="comma-separated case modules to set up and run (e.g. guests,reservations)",
    )
    args = parser.parse_args()
    scale = args.scale or (10_000 if args.quick else 1_000_000)

    url = _bench_database_url()
    if subprocess.call([sys.executable, str(ROOT / "scripts" / "ensure_db.py"), url]) != 0:
        return 2
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pms.settings")
    os.chdir(ROOT)
    import django

    django.setup()
    from django.core.management import call_command

    from .runner import BenchContext, report, run_case

    call_command("migrate", verbosity=0)
    ctx = BenchContext(scale=scale, quick=args.quick)
    modules = [
        importlib.import_module(f"bench.{m.name}")
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("cases_")
        and (not args.modules or m.name.removeprefix("cases_") in args.modules.split(","))
    ]
    print(f"Benchmark database {urlparse(url).path.lstrip('/')}, scale {scale:,} guests")
    for module in modules:
        if hasattr(module, "setup"):
            t0 = time.monotonic()
            module.setup(ctx)
            print(f"  data for {module.__name__}: ready in {time.monotonic() - t0:.1f} s")
    import logging

    logging.getLogger("pms.request").setLevel(logging.WARNING)  # one line per request would drown the report
    results = []
    for module in modules:
        for case in module.cases(ctx):
            if args.only in case.name:
                results.append(run_case(case))
    text, ok = report(results)
    print(text)
    print("All targets met." if ok else "Some targets were missed (see MISSED above).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
