#!/usr/bin/env python3
"""Checks and aggregates the measurements of loadtests/run.sh (standard library only).

  run-report.py check <wrk output> <expected status> <round> <server ticks> <origin ticks> <ticks per s>
      Finds the "bench-result {json}" line side-by-side.lua printed, refuses it unless it is a valid
      measurement (requests > 0, every response counted, only the expected status, no socket error),
      and prints it as one JSON line tagged with the round, with the CPU time the serving process and
      the origin used during it, per request (µs).

  run-report.py show <check's output>
      One human line: the scenario, its rps and percentiles.

  run-report.py report --load L --streaming S --out-md M --out-json J [facts...]
      Medians over rounds per scenario (rps and each percentile separately), median streaming
      throughput, the ratios; writes M and J and prints the ratio lines run.sh documents.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

SCENARIOS = ["origin-direct", "yarp", "nginx", "haproxy", "edge-passthrough", "edge-paid", "edge-429", "edge-mcp", "edge-authorize", "hello"]
STREAM_TARGETS = ["origin-direct", "yarp", "haproxy", "edge-free", "edge-paid"]
MIB = 1024 * 1024


def check(path, expected, round_, server_ticks, origin_ticks, ticks_per_second):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    lines = [line for line in text.splitlines() if line.startswith("bench-result ")]
    if len(lines) != 1:
        sys.exit(f"run-report: expected one bench-result line in {path}, found {len(lines)}")
    result = json.loads(lines[0][len("bench-result "):])
    problems = []
    if result["requests"] <= 0:
        problems.append("no request completed")
    if result["counted"] != result["requests"]:
        problems.append(f"{result['counted']} responses counted by the script, {result['requests']} by wrk")
    errors = {k: v for k, v in result["errors"].items() if v}
    if errors:
        problems.append("socket errors: " + ", ".join(f"{k} {v}" for k, v in errors.items()))
    others = {k: v for k, v in result["statuses"].items() if k != expected}
    if others:
        problems.append(f"statuses other than {expected}: " + ", ".join(f"{k}×{v}" for k, v in sorted(others.items())))
    if problems:
        sys.exit(f"run-report: {result['scenario']} (round {round_}): " + "; ".join(problems))
    result["round"] = int(round_) if round_.isdigit() else round_
    per_request_us = lambda ticks: round(int(ticks) * 1e6 / int(ticks_per_second) / result["requests"], 1)
    result["cpu_us"] = per_request_us(server_ticks)
    result["origin_cpu_us"] = per_request_us(origin_ticks)
    print(json.dumps(result, separators=(",", ":")))


def show(path):
    with open(path, encoding="utf-8") as f:
        r = json.loads(f.read())
    print(f"  {r['scenario']:<17} {r['rps']:>10,.0f} req/s   p50 {r['p50_us'] / 1000:6.2f} ms   p99 {r['p99_us'] / 1000:6.2f} ms   p99.9 {r['p999_us'] / 1000:6.2f} ms"
          f"   CPU {r['cpu_us']:5.1f} µs/req (origin {r['origin_cpu_us']:5.1f})")


def read_ndjson(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def kv(text):
    return dict(item.split("=", 1) for item in text.split())


def ratio(a, b):
    return round(a / b, 2) if b else None


def machine_facts():
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    def version(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            return (out.stdout + out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "unknown"
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "kernel": platform.release(),
        "os": version(["sh", "-c", ". /etc/os-release && echo \"$PRETTY_NAME\""]),
        "dotnet_sdk": version(["dotnet", "--version"]),
        "wrk": version(["wrk", "--version"]),
        "nginx": version(["nginx", "-v"]),
        "haproxy": version(["haproxy", "-v"]),
        "curl": version(["curl", "--version"]),
        "dotnet_env": {k: v for k, v in sorted(os.environ.items()) if k.startswith("DOTNET_") and k not in ("DOTNET_CLI_TELEMETRY_OPTOUT", "DOTNET_NOLOGO", "DOTNET_SKIP_FIRST_TIME_EXPERIENCE")},
    }


def cpu_use(before_path, after_path):
    """Busy and steal shares of all CPUs between two copies of /proc/stat's first line."""
    def read(path):
        with open(path, encoding="utf-8") as f:
            return [int(x) for x in f.read().split()[1:]]
    delta = [a - b for a, b in zip(read(after_path), read(before_path))]
    total = sum(delta[:8]) or 1  # user nice system idle iowait irq softirq steal (guest is inside user)
    idle = delta[3] + delta[4]
    return {"busy_pct": round((total - idle) / total * 100, 1), "steal_pct": round(delta[7] / total * 100, 2)}


def edge_metrics(path):
    """The edge's own request-duration histogram (phase="edge": its work before forwarding or refusing)."""
    sums, counts = {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            for suffix, into in (("_sum{", sums), ("_count{", counts)):
                if line.startswith("edgefence_request_duration_seconds" + suffix):
                    phase = line.split('phase="', 1)[1].split('"', 1)[0] if 'phase="' in line else "?"
                    into[phase] = into.get(phase, 0) + float(line.split()[-1])
    return {phase: {"requests": int(counts[phase]), "mean_us": round(sums.get(phase, 0) / counts[phase] * 1e6, 1)}
            for phase in counts if counts[phase]}


def report(args):
    load = [r for r in read_ndjson(args.load) if r["round"] != "warmup"]
    streaming = read_ndjson(args.streaming)

    scenarios = {}
    for name in SCENARIOS:
        runs = [r for r in load if r["scenario"] == name]
        if not runs:
            sys.exit(f"run-report: no measurement of {name}")
        med = lambda key: statistics.median(r[key] for r in runs)
        scenarios[name] = {
            "rps": round(med("rps"), 1),
            "p50_ms": round(med("p50_us") / 1000, 3),
            "p99_ms": round(med("p99_us") / 1000, 3),
            "p999_ms": round(med("p999_us") / 1000, 3),
            "cpu_us": round(med("cpu_us"), 1),
            "origin_cpu_us": round(med("origin_cpu_us"), 1),
            "rps_min": round(min(r["rps"] for r in runs), 1),
            "rps_max": round(max(r["rps"] for r in runs), 1),
            "requests": sum(r["requests"] for r in runs),
            "rounds": [{k: r[k] for k in ("round", "requests", "duration_us", "rps", "p50_us", "p99_us", "p999_us", "cpu_us", "origin_cpu_us")} for r in runs],
        }

    stream = {}
    for target in STREAM_TARGETS:
        stream[target] = {}
        for direction in ("upload", "download"):
            speeds = [r["bytes_per_second"] for r in streaming if r["target"] == target and r["direction"] == direction]
            if not speeds:
                sys.exit(f"run-report: no {direction} measurement through {target}")
            stream[target][direction] = {"mib_per_s": round(statistics.median(speeds) / MIB, 1), "runs_mib_per_s": [round(s / MIB, 1) for s in speeds]}

    s = scenarios
    rss = {k: int(v) for k, v in kv(args.rss).items()}
    up = lambda t: stream[t]["upload"]["mib_per_s"]
    down = lambda t: stream[t]["download"]["mib_per_s"]
    ratios = {
        "ratio-paid-vs-yarp": ratio(s["edge-paid"]["rps"], s["yarp"]["rps"]),
        "ratio-passthrough-vs-yarp": ratio(s["edge-passthrough"]["rps"], s["yarp"]["rps"]),
        "ratio-paid-vs-nginx": ratio(s["edge-paid"]["rps"], s["nginx"]["rps"]),
        "ratio-authorize-vs-hello": ratio(s["edge-authorize"]["rps"], s["hello"]["rps"]),
        "p99-paid-vs-yarp": ratio(s["edge-paid"]["p99_ms"], s["yarp"]["p99_ms"]),
        "ratio-upload-vs-yarp": ratio(up("edge-paid"), up("yarp")),
        "ratio-download-vs-yarp": ratio(down("edge-paid"), down("yarp")),
        "ratio-paid-vs-haproxy": ratio(s["edge-paid"]["rps"], s["haproxy"]["rps"]),
        "ratio-passthrough-vs-haproxy": ratio(s["edge-passthrough"]["rps"], s["haproxy"]["rps"]),
        "p99-paid-vs-haproxy": ratio(s["edge-paid"]["p99_ms"], s["haproxy"]["p99_ms"]),
        "ratio-upload-vs-haproxy": ratio(up("edge-paid"), up("haproxy")),
        "ratio-download-vs-haproxy": ratio(down("edge-paid"), down("haproxy")),
        "ratio-mcp-vs-paid": ratio(s["edge-mcp"]["rps"], s["edge-paid"]["rps"]),
        "edge-peak-rss-mib": round(rss["edge-after"] / 1024, 2),
    }
    extra_ratios = {
        "ratio-paid-vs-passthrough": ratio(s["edge-paid"]["rps"], s["edge-passthrough"]["rps"]),
        "ratio-429-vs-yarp": ratio(s["edge-429"]["rps"], s["yarp"]["rps"]),
        "ratio-yarp-vs-direct": ratio(s["yarp"]["rps"], s["origin-direct"]["rps"]),
        "ratio-upload-free-vs-yarp": ratio(up("edge-free"), up("yarp")),
        "ratio-download-free-vs-yarp": ratio(down("edge-free"), down("yarp")),
        "ratio-upload-paid-vs-direct": ratio(up("edge-paid"), up("origin-direct")),
        "ratio-download-paid-vs-direct": ratio(down("edge-paid"), down("origin-direct")),
        "ratio-upload-free-vs-direct": ratio(up("edge-free"), up("origin-direct")),
        "ratio-download-free-vs-direct": ratio(down("edge-free"), down("origin-direct")),
    }
    wrk = kv(args.wrk)
    data = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": args.command,
        "profile": args.profile,
        "wall_seconds": args.wall_seconds,
        "machine": machine_facts(),
        "wrk": {"threads": int(wrk["threads"]), "connections": int(wrk["connections"]), "timeout": wrk["timeout"],
                "pinned_cpu": None if wrk["cpu"] == "none" else int(wrk["cpu"]), "duration_s": args.duration, "warmup_s": args.warmup, "script": "loadtests/side-by-side.lua"},
        "rounds": args.rounds,
        "edge": {"redis": None, "note": "standalone: local FASTER counters only, no Redis; decision log on (files in DataDir)"},
        "scenarios": scenarios,
        "streaming": {"mib": args.stream_mib, "repetitions": args.stream_reps, "targets": stream},
        "rss_kib": rss,
        "cpu_during_load": cpu_use(*args.cpu_stat),
        "edge_request_duration": edge_metrics(args.edge_metrics),
        "ratios": ratios,
        "more_ratios": extra_ratios,
    }
    with open(args.out_json, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
        f.write("\n")

    m = data["machine"]
    md = []
    md.append("# Side-by-side load test: latest results\n")
    md.append(f"Written by `{args.command}` on {data['date']} ({args.profile} profile, {args.wall_seconds} s wall time including builds). "
              "How to read and reproduce this: `loadtests/README.md`.\n")
    md.append("## Machine\n")
    md.append(f"- CPUs (`nproc`): {m['nproc']}; CPU: {m['cpu']}")
    md.append(f"- Kernel: {m['kernel']}; OS: {m['os']}")
    md.append(f"- .NET SDK {m['dotnet_sdk']}; {m['wrk'].split(' Copyright')[0]}; {m['nginx']}; {m['haproxy']}")
    md.append(f"- `DOTNET_*` environment of every .NET process (the same for all): {json.dumps(m['dotnet_env']) if m['dotnet_env'] else 'none set (GC settings come from aot.props)'}")
    cpu = data["cpu_during_load"]
    md.append(f"- Everything on loopback on this one machine: wrk, the proxy under test and the origin share the CPUs "
              f"(all CPUs {cpu['busy_pct']}% busy during the request scenarios; steal time {cpu['steal_pct']}%).\n")
    md.append("## Method\n")
    pinning = "not pinned" if wrk["cpu"] == "none" else f"pinned to CPU {wrk['cpu']} with `taskset` (servers unpinned)"
    md.append(f"- wrk `-t{wrk['threads']} -c{wrk['connections']} -d{args.duration}s --timeout {wrk['timeout']}`, {pinning}, "
              "script `loadtests/side-by-side.lua`, the same for every scenario.")
    md.append(f"- {args.rounds} round(s); each round runs every scenario once in the order below; values are the median over rounds "
              "(each column separately). " + (f"A {args.warmup} s warm-up pass of every scenario came first, not recorded." if args.warmup else "No warm-up pass."))
    md.append("- The edge runs standalone (no Redis: local FASTER counters only), with its decision log on (its default).")
    md.append("- Every measurement was checked: no socket error, every response the expected status (200; 429 for edge-429).\n")
    md.append("## Requests\n")
    md.append("| Scenario | What | req/s (median) | min–max over rounds | p50 ms | p99 ms | p99.9 ms | CPU µs/req | origin CPU µs/req |")
    md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    what = {
        "origin-direct": "GET, the origin itself",
        "yarp": "GET through bare YARP (same build as the edge)",
        "nginx": "GET through nginx",
        "haproxy": "GET through haproxy",
        "edge-passthrough": "GET /free/x through the edge (unprotected)",
        "edge-paid": "GET /paid/x through the edge, 10,000 tokens rotated",
        "edge-429": "GET /paid/x, exhausted token: every answer 429",
        "edge-mcp": "POST /mcp, an MCP tools/call of a priced tool (2026-07-28 headers), 10,000 tokens rotated",
        "edge-authorize": "POST /v1/authorize, 10,000 tokens rotated",
        "hello": "POST /hello, Kestrel JSON endpoint (same build)",
    }
    for name in SCENARIOS:
        r = s[name]
        md.append(f"| {name} | {what[name]} | {r['rps']:,.0f} | {r['rps_min']:,.0f}–{r['rps_max']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['p999_ms']:.2f} | {r['cpu_us']:.1f} | {r['origin_cpu_us']:.1f} |")
    md.append("")
    md.append(f"## Streaming ({args.stream_mib} MiB, median of {args.stream_reps})\n")
    md.append("| Through | Upload MiB/s | Download MiB/s |")
    md.append("| --- | ---: | ---: |")
    for target in STREAM_TARGETS:
        md.append(f"| {target} | {up(target):,.1f} | {down(target):,.1f} |")
    md.append("")
    md.append(f"Edge peak RSS (VmHWM): {rss['edge-before'] / 1024:.1f} MiB after the request scenarios, "
              f"{rss['edge-after'] / 1024:.1f} MiB after streaming. YARP baseline: {rss['yarp-before'] / 1024:.1f} MiB, then {rss['yarp-after'] / 1024:.1f} MiB.\n")
    phases = data["edge_request_duration"]
    if phases:
        md.append("The edge's own `edgefence_request_duration_seconds` over the request scenarios (warm-up included): "
                  + "; ".join(f"phase `{p}` {v['mean_us']:.1f} µs mean over {v['requests']:,} requests" for p, v in sorted(phases.items()))
                  + ". No decision record was dropped.\n")
    md.append("## Ratios\n")
    md.append("| Ratio | Value |")
    md.append("| --- | ---: |")
    for k, v in list(ratios.items()) + list(extra_ratios.items()):
        md.append(f"| `{k}` | {v:.2f} |" if v is not None else f"| `{k}` | n/a |")
    md.append("")
    with open(args.out_md, "w", encoding="utf-8") as f:
        f.write("\n".join(md))

    print(f"run.sh: wrote {args.out_md} and {args.out_json}")
    for k, v in ratios.items():
        print(f"{k}: {v:.2f}" if v is not None else f"{k}: n/a")


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "check":
        if len(sys.argv) != 8:
            sys.exit("usage: run-report.py check <wrk output> <expected status> <round> <server ticks> <origin ticks> <ticks per s>")
        check(*sys.argv[2:8])
        return
    if len(sys.argv) == 3 and sys.argv[1] == "show":
        show(sys.argv[2])
        return
    parser = argparse.ArgumentParser(prog="run-report.py report")
    parser.add_argument("mode", choices=["report"])
    for name in ("--load", "--streaming", "--out-md", "--out-json", "--command", "--profile", "--wrk", "--rss"):
        parser.add_argument(name, required=True)
    parser.add_argument("--edge-metrics", required=True)
    parser.add_argument("--cpu-stat", nargs=2, required=True, metavar=("BEFORE", "AFTER"))
    for name in ("--rounds", "--duration", "--warmup", "--stream-mib", "--stream-reps", "--wall-seconds"):
        parser.add_argument(name, type=int, required=True)
    report(parser.parse_args())


if __name__ == "__main__":
    main()
