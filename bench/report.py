"""Markdown tables from bench/results/*.json: `python -m bench.report FILE...` (for BENCHMARKS.md)."""
import json
import sys


def fmt(value, unit=""):
    return "–" if value is None else f"{value}{unit}"


def main(paths):
    runs, targets = [], []
    for path in paths:
        report = json.load(open(path))
        for run in report["runs"]:
            runs.append((report, run))
        targets += report["targets"]
    print("| run | load avg before/after | setup | streams open | casts accepted | burst s | casts/s | p50 | p95 | p99 | max | "
          "/healthz/s | ratio | server CPU s (% of 1 core) | peak RSS MB | close s | checks |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for report, run in runs:
        if "burst" not in run or "n" not in run or "healthz" not in run:
            continue
        b, h = run["burst"], run["healthz"]
        c = b["check"]
        ok = c["tally_matches_accepted"] and c["counts_match_plans"] and c.get("receipts_match", True) and run["flask_verify"]
        load = f"{report['machine']['loadavg_at_start'][0]:.1f} / {run['loadavg_after'][0]:.1f}"
        print(f"| {run['db']} N={run['n']} all at once | {load} | {run.get('setup_seconds')} s | {run.get('streams_open')} | "
              f"{b['accepted']}/{run['n']} | {b['seconds']} | {b['throughput_per_s']} | {b['p50_ms']} | {b['p95_ms']} | "
              f"{b['p99_ms']} | {b['max_ms']} | {h['throughput_per_s']} | {run['cast_to_healthz_ratio']:.0%} | "
              f"{b['cpu_seconds']} ({b['cpu_percent_of_one_core']}%) | {b['peak_rss_mb']} | {c['close_seconds']} | "
              f"{'tally = accepted, counts = ballots sent, receipts, verify: ok' if ok else 'MISMATCH'} |")
        if "paced" in run:
            p = run["paced"]
            pc = p["check"]
            print(f"| {run['db']} N={run['n']} spread over {p['window_s']:g} s | | | {run.get('streams_open')} | "
                  f"{p['accepted']}/{run['n']} | {p['seconds']} | {p['throughput_per_s']} | {p['p50_ms']} | {p['p95_ms']} | "
                  f"{p['p99_ms']} | {p['max_ms']} | | | {p['cpu_seconds']} ({p['cpu_percent_of_one_core']}%) | "
                  f"{p['peak_rss_mb']} | {pc['close_seconds']} | "
                  f"{'ok' if pc['tally_matches_accepted'] and pc['counts_match_plans'] else 'MISMATCH'} |")
    print()
    for report, run in runs:
        if run["run"].startswith("crash") and "rounds" in run:
            print(f"Crash {run['db']} (N={run['n']}, {run['repeats']} rounds, flask verify "
                  f"{'ok' if run['flask_verify'] else 'FAILED'}):\n")
            print("| round | killed after (s / 201s) | pids killed | restart s | 201 | 200 on retry | clients retried | other | tally cast | participation | receipts once | ok |")
            print("|---|---|---|---|---|---|---|---|---|---|---|---|")
            for r in run["rounds"]:
                print(f"| {r['round']} | {r['killed_after_s']} / {r.get('created_before_kill')} | {r['killed_pids']} | "
                      f"{r['restart_s']} | {r['created_201']} | {r['replayed_200']} | {r['retried_clients']} | "
                      f"{r['other'] or '–'} | {r['tally_cast']} | {r['participation']} | {r['receipts_exactly_once']} | "
                      f"{'yes' if r['ok'] else 'NO'} |")
            print()
        if run["run"].startswith("five") and "sittings" in run:
            print(f"Five sittings at once, {run['db']}, casts spread over {run['window_s']:g} s, server CPU "
                  f"{run['usage']['cpu_seconds']} s, peak RSS {run['usage']['peak_rss_mb']} MB:\n")
            print("| sitting | deputies | accepted | casts/s | p50 | p95 | p99 | max | streams at final count | tally ok |")
            print("|---|---|---|---|---|---|---|---|---|---|")
            for k, s in enumerate(run["sittings"], 1):
                print(f"| {k} | {s['size']} | {s['accepted']} | {s['throughput_per_s']} | {s['p50_ms']} | {s['p95_ms']} | "
                      f"{s['p99_ms']} | {s['max_ms']} | {s['streams_showing_final_count']} | "
                      f"{s['check']['tally_matches_accepted'] and s['check']['counts_match_plans']} |")
            print(f"\nData crossing: {run['crossing'] or 'none'}; flask verify {'ok' if run['flask_verify'] else 'FAILED'}\n")
        if run["run"] == "multi" and "per_instance" in run:
            b = run["burst"]
            print(f"Two instances on one PostgreSQL, N={run['n']} all at once: {b['accepted']}/{run['n']} accepted in "
                  f"{b['seconds']} s, p50 {b['p50_ms']} / p95 {b['p95_ms']} / p99 {b['p99_ms']} ms; tally cast "
                  f"{run['check']['tally_cast']}, counts match {run['check']['counts_match_plans']}, verify "
                  f"{run['flask_verify']}\n")
            print("| instance | casts sent | accepted | /live cast | /live at full count after (s) | streams | "
                  "streams at final count |")
            print("|---|---|---|---|---|---|---|")
            for p in run["per_instance"]:
                print(f"| {p['url']} | {p['casts_sent']} | {p['accepted']} | {p['live_snapshot_cast']} | "
                      f"{p.get('live_seconds_after_burst', '–')} | {p['streams']} | {p['streams_showing_final_count']} |")
            print()
        if run["run"] == "tally" and "voters" in run:
            print(f"Tally: {run['voters']} sealed ballots × {run['items']} candidates: count + Ed25519 signature "
                  f"{run['tally_and_signature_seconds']} s; whole close (storage rewrite, count, sign, commit) "
                  f"{run['whole_close_seconds']} s; sealing one ballot {run['seal_per_ballot_ms']} ms\n")
        if "tablet" in run and "files" in run.get("tablet", {}):
            print(f"Tablet transfer ({run['db']}): {run['tablet']['total_bytes'] / 1024:.1f} KB\n")
            print("| request | status | bytes |\n|---|---|---|")
            for f in run["tablet"]["files"]:
                print(f"| {f['path']} | {f['status']} | {f['bytes']} |")
            print()
    print("| target | result | figures |\n|---|---|---|")
    for t in targets:
        print(f"| {t['target']} | {'PASS' if t['pass'] else 'FAIL'} | {t['detail']} |")


if __name__ == "__main__":
    main(sys.argv[1:])
