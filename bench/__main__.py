"""`make bench` (= python -m bench): the congress-scale benchmarks of BENCHMARKS.md.

    python -m bench                       everything (about 20 minutes on 2 cores)
    BENCH_QUICK=1 python -m bench         a short run with small halls
    python -m bench --only load,crash --db sqlite --sizes 650
    python -m bench --only storm --db sqlite        the login storm through nginx (issue #18)
    python -m bench --only collection               300 vs 30,000 proposals (issue #21)
    python -m bench --only tellers                  the verifiable secret ballot's costs (issue #17)
    python -m bench --only tellers-hall --sizes 650 a hall casting encrypted ballots (issue #17)

Prints PASS/FAIL per target and writes bench/results/<UTC time>.json."""
import argparse
import asyncio
import json
import os
import platform
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from bench import scenarios
from bench.collection import collection_run
from bench.tellers import tellers_run
from bench.tellers_hall import tellers_hall_run
from bench.tally import prepared_close

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    try:
        import sqlalchemy as sa

        from bench.server import postgres_base_url

        engine = sa.create_engine(postgres_base_url())
        with engine.connect() as conn:
            pg = conn.execute(sa.text("SHOW server_version")).scalar()
        engine.dispose()
    except Exception as error:  # noqa: BLE001
        pg = f"unavailable ({type(error).__name__})"
    import sqlite3

    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "postgresql": pg, "loadavg_at_start": os.getloadavg(),
            "kernel": platform.release()}


def collection_targets(figures: dict) -> tuple[dict, list]:
    """Issue #21: at 30,000 proposals each page and hint costs at most 3x its cost at 300,
    and the public intake's hint under 50 ms."""
    targets = [(f"collection {figures['db']}: {page} at 30,000 ≤ 3× at 300", ratio <= 3.0,
                f"{figures['small']['median_ms'][page]} → {figures['large']['median_ms'][page]} ms, ×{ratio}")
               for page, ratio in figures["ratio"].items()]
    hint = figures["large"]["median_ms"]["public_hints"]
    targets.append((f"collection {figures['db']}: public hint at 30,000 < 50 ms", hint < 50, f"{hint} ms"))
    return figures, targets


def main(argv=None) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the cleanups (servers are killed)
    quick = os.environ.get("BENCH_QUICK") == "1"
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", default="load,tally,crash,multi,five,storm,collection,tellers")
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--sizes", default="100,300" if quick else "650,3000")
    parser.add_argument("--crash-n", type=int, default=50 if quick else 60)
    parser.add_argument("--crash-repeats", type=int, default=2 if quick else 10)
    parser.add_argument("--multi-n", type=int, default=100 if quick else 650)
    parser.add_argument("--paced-window", type=float, default=20.0)
    parser.add_argument("--five", default="90,20,20,20,20" if quick else "450,100,100,100,100")
    parser.add_argument("--storm-n", type=int, default=100 if quick else 650)
    parser.add_argument("--storm-window", type=float, default=30.0)
    parser.add_argument("--tally-voters", type=int, default=500 if quick else 3000)
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    dbs = args.db.split(",")
    sizes = [int(s) for s in args.sizes.split(",")]
    report = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "quick": quick,
              "args": vars(args), "machine": machine(), "runs": [], "targets": []}
    started = time.monotonic()

    def record(kind, figures, targets):
        report["runs"].append({"run": kind, **figures})
        for name, passed, detail in targets:
            report["targets"].append({"target": name, "pass": bool(passed), "detail": detail})
            print(f"{'PASS' if passed else 'FAIL'}  {name}  [{detail}]", flush=True)
        save(report)

    def attempt(kind, fn):
        print(f"--- {kind} (load average {os.getloadavg()[0]:.1f})", flush=True)
        try:
            figures, targets = fn()
        except Exception as error:  # noqa: BLE001  (report and go on with the next run)
            import traceback

            traceback.print_exc()
            figures, targets = {"error": repr(error)}, [(f"{kind}: run completed", False, repr(error)[:300])]
        figures["loadavg_after"] = os.getloadavg()
        record(kind, figures, targets)

    if "tally" in only:
        def tally():
            figures = prepared_close(args.tally_voters)
            return figures, [(f"tally + signature of {figures['voters']} ballots × {figures['items']} items ≤ 1 s",
                              figures["tally_and_signature_seconds"] <= 1.0,
                              f"{figures['tally_and_signature_seconds']} s (whole close incl. storage rewrite "
                              f"{figures['whole_close_seconds']} s)")]
        attempt("tally", tally)
    for db in dbs:
        if "load" in only:
            for n in sizes:
                paced = args.paced_window if n < 3000 else None
                attempt(f"load {db} {n}", lambda: asyncio.run(scenarios.load_run(
                    db, n, paced_window=paced, measure_tablet=(n == sizes[0]))))
        if "crash" in only:
            attempt(f"crash {db}", lambda: asyncio.run(scenarios.crash_run(db, args.crash_n, args.crash_repeats)))
        if "storm" in only:
            attempt(f"storm {db}", lambda: asyncio.run(scenarios.storm_run(db, args.storm_n,
                                                                           window_s=args.storm_window)))
        if "collection" in only:
            attempt(f"collection {db}", lambda: collection_targets(collection_run(db)))
        if "tellers" in only:
            attempt(f"tellers {db}", lambda: tellers_run(db))
        if "tellers-hall" in only:
            for n in sizes[:1]:
                attempt(f"tellers-hall {db} {n}", lambda: asyncio.run(tellers_hall_run(db, n,
                                                                                      paced_window=args.paced_window)))
        if "five" in only:
            five = tuple(int(s) for s in args.five.split(","))
            attempt(f"five {db}", lambda: asyncio.run(scenarios.five_run(db, five, window=args.paced_window)))
    if "multi" in only and "postgres" in dbs:
        attempt("multi", lambda: asyncio.run(scenarios.multi_run(args.multi_n)))

    report["seconds"] = round(time.monotonic() - started)
    save(report)
    passed = sum(t["pass"] for t in report["targets"])
    print(f"\n{passed}/{len(report['targets'])} targets met in {report['seconds']} s; figures in {report['path']}")
    for t in report["targets"]:
        print(f"{'PASS' if t['pass'] else 'FAIL'}  {t['target']}  [{t['detail']}]")
    return 0 if passed == len(report["targets"]) else 1


def save(report):
    RESULTS.mkdir(exist_ok=True)
    if "path" not in report:
        stamp = report["started"].replace(":", "").replace("+0000", "Z")
        report["path"] = str(RESULTS / f"{stamp}{'-quick' if report['quick'] else ''}.json")
    Path(report["path"]).write_text(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    sys.exit(main())
