#!/usr/bin/env python3
"""Assembles the catalog benchmark results into one JSON file and prints them as a table.

  report.py assemble CHECKPOINTS.jsonl OUT.json --meta JSON --sqlite JSON
  report.py table OUT.json            (markdown table on stdout)
  report.py wrk-rounds GET.. -- PING.. -- STATIC   (wrk's WRKJSON lines -> the checkpoint's "wrk")
"""
import argparse
import json
import sys

ENDPOINTS = [
    ("get_by_pid", "GET /Datasets/:pid"),
    ("list_page_25", "GET /Datasets (page of 25)"),
    ("count", "GET /Datasets/count"),
    ("fullquery_text_2sci", "fullquery text + 2 sci (units)"),
    ("fullfacet_4", "fullfacet 4 facets, repeated (result cache)"),
    ("fullfacet_4_cold", "fullfacet 4 facets, cold (a write before each)"),
]
TARGETS = {
    "load": ">= 1000/s",
    "rss": "<= 300 MB",
    "fullfacet_4": "p50 <= 50 ms",
    "fullfacet_4_cold": "p50 <= 50 ms",
    "fullquery_text_2sci": "p50 <= 20 ms",
    "ratio": ">= 50%",
}


def assemble(args):
    checkpoints = [json.loads(line) for line in open(args.checkpoints) if line.strip()]
    meta = json.loads(args.meta)
    sqlite = json.loads(args.sqlite)
    last = checkpoints[-1] if checkpoints else None
    summary = {}
    if last:
        g, p = last["wrk"]["get_by_pid"], last["wrk"]["ping"]
        summary = {
            "n": last["n"],
            "post_per_s_last_segment": last["load"]["segments"][-1]["rate_per_s"] if last["load"]["segments"] else None,
            "get_by_pid_vs_ping": g["rps"] / p["rps"] if p["rps"] else None,
            "get_by_pid_vs_sqlite_lookup_parse": g["rps"] / sqlite["pk_lookup_parse_serialize_per_s"] if sqlite else None,
            "post_vs_sqlite_insert": last["load"]["rate_per_s"] / sqlite["insert_one_per_tx_per_s"] if sqlite else None,
            "max_rss_mb": max(c["memory"]["after_wrk"]["vmhwm_kb"] for c in checkpoints) / 1024,
        }
    out = {"benchmark": "catalog", "meta": meta, "checkpoints": checkpoints, "sqlite_baseline": sqlite,
           "summary": summary, "post_processes": json.loads(args.post_processes)}
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


def merge_rounds(rounds):
    """One wrk result from several runs of the same request: rate over all of them, the
    slowest p50/p99, errors summed; each run's rate kept in "rounds"."""
    requests = sum(r["requests"] for r in rounds)
    duration = sum(r["duration_s"] for r in rounds)
    out = {"requests": requests, "duration_s": duration, "rps": requests / duration if duration else 0.0,
           "p50_ms": max(r["p50_ms"] for r in rounds), "p99_ms": max(r["p99_ms"] for r in rounds),
           "rounds": [r["rps"] for r in rounds]}
    for key in ("non_2xx", "errors_connect", "errors_read", "errors_write", "errors_timeout"):
        out[key] = sum(r[key] for r in rounds)
    return out


def wrk_rounds(args):
    groups, current = [], []
    for item in args.results + ["--"]:
        if item == "--":
            try:
                groups.append([json.loads(x) for x in current])
            except json.JSONDecodeError:
                sys.exit(f"wrk-rounds: a wrk run printed no result: {current!r}")
            current = []
        else:
            current.append(item)
    if len(groups) != 3 or not all(groups) or len(groups[2]) != 1:
        sys.exit("wrk-rounds: expected GET results -- PING results -- one static PING result")
    json.dump({"get_by_pid": merge_rounds(groups[0]), "ping": merge_rounds(groups[1]), "ping_static": groups[2][0],
               "ping_method": "same client path as get-by-pid (wrk.lua request(), admin token), alternating rounds"},
              sys.stdout)


def fmt_ms(d):
    if d.get("timeout_s"):
        return f"timeout (> {d['timeout_s']} s)" if d["n"] <= 1 else f"{d['p50_ms']:.1f} / timeout (> {d['timeout_s']} s)"
    return f"{d['p50_ms']:.1f} / {d['p99_ms']:.1f}" + (" (errors!)" if d.get("errors") else "")


def table(args):
    r = json.load(open(args.file))
    cps = r["checkpoints"]
    m = r["meta"]
    s = r["sqlite_baseline"]
    print(f"catalog benchmark ({m.get('catalog', 'sqlite')} catalog), {m['date']}, {m['cores']} cores ({m['cpu']}), openem {m['git']}, "
          f"load threads {m['load_threads']}, wrk {m['wrk_connections']} connections x {m['wrk_seconds']} s")
    print()
    head = "| metric | " + " | ".join(f"N={c['n']:,}" for c in cps) + " | target |"
    print(head)
    print("|---" * (len(cps) + 2) + "|")

    def row(name, fn, target=""):
        cells = []
        for c in cps:
            try:
                cells.append(fn(c))
            except (KeyError, ZeroDivisionError, IndexError, TypeError):
                cells.append("-")
        print(f"| {name} | " + " | ".join(cells) + f" | {target} |")

    row("POST /Datasets per s (whole load step)", lambda c: f"{c['load']['rate_per_s']:,.0f}", TARGETS["load"])
    row("POST /Datasets per s (last 2% of step)", lambda c: f"{c['load']['segments'][-1]['rate_per_s']:,.0f}")
    row("POST latency p50 / p99 ms", lambda c: fmt_ms(c["load"]["latency"]))
    row("catalog.db MB (bytes per dataset)",
        lambda c: f"{c['disk']['catalog_db_bytes'] / 2**20:,.0f} ({c['disk']['catalog_db_bytes'] / c['n']:,.0f})")
    row("catalog.db-wal MB after the load step", lambda c: f"{c['disk']['wal_bytes'] / 2**20:,.0f}")
    row("server RSS anon / file-mapped MB after wrk",
        lambda c: f"{c['memory']['after_wrk']['rss_anon_kb'] / 1024:.0f} / {c['memory']['after_wrk']['rss_file_kb'] / 1024:.0f}")
    row("server RSS MB after load / after queries / peak (HWM)",
        lambda c: f"{c['memory']['after_load']['vmrss_kb'] / 1024:.0f} / {c['memory']['after_queries']['vmrss_kb'] / 1024:.0f}"
                  f" / {c['memory']['after_wrk']['vmhwm_kb'] / 1024:.0f}", TARGETS["rss"])
    for key, label in ENDPOINTS:
        for who in ("user", "admin"):
            row(f"{label}, {'user (3 groups)' if who == 'user' else 'admin'}: p50 / p99 ms",
                lambda c, key=key, who=who: fmt_ms(c["latency"][who][key]), TARGETS.get(key, ""))
    row("wrk GET /Datasets/:pid req/s (p50 / p99 ms)",
        lambda c: f"{c['wrk']['get_by_pid']['rps']:,.0f} ({c['wrk']['get_by_pid']['p50_ms']:.1f} / {c['wrk']['get_by_pid']['p99_ms']:.1f})"
                  + (" non-2xx!" if c['wrk']['get_by_pid']['non_2xx'] else ""))
    row("wrk GET /ping req/s (p50 / p99 ms)",
        lambda c: f"{c['wrk']['ping']['rps']:,.0f} ({c['wrk']['ping']['p50_ms']:.1f} / {c['wrk']['ping']['p99_ms']:.1f})")
    row("get-by-pid / ping", lambda c: f"{100 * c['wrk']['get_by_pid']['rps'] / c['wrk']['ping']['rps']:.0f}%", TARGETS["ratio"])
    row("wrk GET /ping as wrk's fixed request, no token (sessions 1-5) req/s",
        lambda c: f"{c['wrk']['ping_static']['rps']:,.0f}")
    row("get-by-pid / that ping", lambda c: f"{100 * c['wrk']['get_by_pid']['rps'] / c['wrk']['ping_static']['rps']:.0f}%")
    if not s:
        return
    print()
    print(f"raw SQLite baseline, same JSON documents, N={s['n']:,} (plain table id TEXT UNIQUE, doc TEXT; same pragmas):")
    print()
    print("| baseline | value | openem / baseline |")
    print("|---|---|---|")
    last = cps[-1] if cps else None
    print(f"| INSERT, one transaction per doc, per s | {s['insert_one_per_tx_per_s']:,.0f} | "
          + (f"{100 * last['load']['rate_per_s'] / s['insert_one_per_tx_per_s']:.1f}% (POST /Datasets)" if last else "") + " |")
    print(f"| primary-key lookup per s ({s['lookup_threads']} threads) | {s['pk_lookup_per_s']:,.0f} | "
          + (f"{100 * last['wrk']['get_by_pid']['rps'] / s['pk_lookup_per_s']:.1f}% (wrk get-by-pid)" if last else "") + " |")
    print(f"| lookup + JSON parse + serialize per s | {s['pk_lookup_parse_serialize_per_s']:,.0f} | "
          + (f"{100 * last['wrk']['get_by_pid']['rps'] / s['pk_lookup_parse_serialize_per_s']:.1f}% (wrk get-by-pid)" if last else "") + " |")
    print(f"| database MB (bytes per dataset) | {s['db_bytes'] / 2**20:,.0f} ({s['db_bytes'] / s['n']:,.0f}) | "
          + (f"{last['disk']['catalog_db_bytes'] / (s['db_bytes'] * last['n'] / s['n']):.1f}x (catalog.db, per dataset)" if last else "") + " |")


def compare(args):
    """The SQLite and PostgreSQL runs of one compare_backends.sh run side by side (last
    checkpoint of each): every query's p50 on PostgreSQL within 2x of SQLite's is the target."""
    runs = {name: json.load(open(path)) for name, path in (("sqlite", args.sqlite), ("postgres", args.postgres))}
    last = {name: r["checkpoints"][-1] for name, r in runs.items()}
    m = runs["postgres"]["meta"]
    print(f"catalog on SQLite vs PostgreSQL, {m['date']}, {m['cores']} cores, openem {m['git']}, N={last['postgres']['n']:,}")
    print()
    print("| metric | SQLite | PostgreSQL | PostgreSQL / SQLite | target |")
    print("|---|---|---|---|---|")
    rows = []

    def row(name, fn, fmt, target=""):
        try:
            a, b = fn(last["sqlite"]), fn(last["postgres"])
        except (KeyError, TypeError, IndexError):
            print(f"| {name} | - | - | - | {target} |")
            return
        ratio = b / a if a else float("inf")
        met = "" if not target else (" ok" if ratio <= 2 else " MISSED")
        rows.append({"metric": name, "sqlite": a, "postgres": b, "ratio": ratio, "target": target})
        print(f"| {name} | {fmt(a)} | {fmt(b)} | {ratio:.2f}x{met} | {target} |")

    row("POST /Datasets per s (1 API process)", lambda c: c["load"]["rate_per_s"], lambda v: f"{v:,.0f}")
    for key, label in ENDPOINTS:
        for who in ("user", "admin"):
            row(f"{label}, {'user (3 groups)' if who == 'user' else 'admin'}: p50 ms",
                lambda c, key=key, who=who: c["latency"][who][key]["p50_ms"], lambda v: f"{v:.2f}", "p50 <= 2x")
    row("wrk GET /Datasets/:pid req/s", lambda c: c["wrk"]["get_by_pid"]["rps"], lambda v: f"{v:,.0f}")
    row("catalog MB on disk", lambda c: c["disk"]["catalog_db_bytes"] / 2**20, lambda v: f"{v:,.0f}")
    procs = runs["postgres"].get("post_processes")
    if procs:
        one, two = procs["one_process"], procs["two_processes"]
        print()
        print(f"POST /Datasets on PostgreSQL with 1 and 2 API processes ({procs['datasets_each']:,} datasets each, "
              f"{procs['errors']} errors; target: 2 >= 1.5x 1):")
        print()
        print("| API processes | POST/s | machine CPU ms per POST | cores busy | the cores allow at most |")
        print("|---|---|---|---|---|")
        for label, r in (("1", one), ("2", two)):
            print(f"| {label} | {r['per_s']:,.0f} | {r['cpu_ms_per_post']:.2f} | {r['cores_busy']:.2f} of {m['cores']} "
                  f"| {r['cpu_bound_per_s']:,.0f}/s |")
        met = "ok" if procs["ratio"] >= 1.5 else "MISSED"
        print(f"\n2 / 1 = {procs['ratio']:.2f}x {met}")
        rows.append({"metric": "POST/s, 2 API processes / 1", "one": one["per_s"], "two": two["per_s"],
                     "ratio": procs["ratio"], "target": ">= 1.5x"})
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"benchmark": "catalog-backends", "meta": m, "rows": rows, "post_processes": procs}, f, indent=2)
            f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("assemble")
    a.add_argument("checkpoints")
    a.add_argument("out")
    a.add_argument("--meta", required=True)
    a.add_argument("--sqlite", required=True)
    a.add_argument("--post-processes", default="null")
    t = sub.add_parser("table")
    t.add_argument("file")
    c = sub.add_parser("compare")
    c.add_argument("sqlite")
    c.add_argument("postgres")
    c.add_argument("--out")
    w = sub.add_parser("wrk-rounds")
    w.add_argument("results", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    {"assemble": assemble, "table": table, "compare": compare, "wrk-rounds": wrk_rounds}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
