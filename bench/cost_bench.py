#!/usr/bin/env python3
"""Local cost scan speed: codexbar vs ccusage on the same generated Codex homes, in one run.

    .venv/bin/python bench/cost_bench.py [--sizes 2000:200,10000:1000] [--runs 3] [--profile]

For each size (files:MB) a home is generated once by gen_home.py under --homes (reused when its
manifest matches), then, with the files in the page cache for both tools:

  ccusage      `ccusage codex daily --json --offline --timezone UTC --speed standard` (no cache;
               every run is a full scan)
  cold         `codexbar cost --json --since --until --refresh` with an empty cache folder
  rescan       the same with the cache a cold run left (unchanged home, per-file state warm)
  append       (largest home) one token_count event appended to one file (and its row of the
               thread index updated, as Codex does, when the home has one), then `--refresh`

Each is the median of --runs runs; peak RSS is the largest single process (wait4 ru_maxrss) and the
peak sum over the process tree (sampled every 20 ms), whichever is larger is reported. The bench also
checks that both tools report the same token totals and that an appended event shows up. The table
is printed and written to bench/out/cost_bench.txt (+ .json); --profile adds a cProfile summary of
one cold codexbar scan of the largest home.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_home  # noqa: E402
import runners  # noqa: E402
import thread_db  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
SEED = 20261124


@dataclass
class Sample:
    seconds: float
    rss_mb: float
    stdout: str
    cpu: float = 0.0  # user + system seconds of the process and its children


def tree_rss_kb(root: int) -> int:
    """Sum of VmRSS over `root` and its descendants (walks /proc; kernels without .../children)."""
    tree = runners.proc_tree(root)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


def measure(cmd: list[str], env: dict[str, str]) -> Sample:
    """Wall time and peak RSS of one command run to completion."""
    out_path = OUT / ".stdout.tmp"
    with open(out_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.PIPE)
        peak = [0]

        def sample() -> None:
            peak[0] = max(peak[0], tree_rss_kb(proc.pid))

        seconds, status, usage = runners.wait_sampling(proc, sample, start)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exit {proc.returncode}: {err[-800:]}")
    return Sample(seconds, max(usage.ru_maxrss, peak[0]) / 1024, out_path.read_text(),
                  usage.ru_utime + usage.ru_stime)


def median(samples: list[Sample]) -> Sample:
    secs = statistics.median(s.seconds for s in samples)
    return Sample(secs, max(s.rss_mb for s in samples), samples[-1].stdout,
                  statistics.median(s.cpu for s in samples))


def ensure_home(homes: Path, files: int, mb: float) -> tuple[Path, dict[str, Any]]:
    home = homes / f"home-{files}f-{int(mb)}mb"
    manifest_path = home / "gen_manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if (manifest.get("generator"), manifest.get("seed"), manifest.get("files")) == (gen_home.VERSION, SEED, files):
            return home, manifest
    shutil.rmtree(home, ignore_errors=True)
    t = time.perf_counter()
    manifest = gen_home.generate(home, files=files, megabytes=mb, days=35,
                                 end=dt.datetime.now(dt.timezone.utc).date(), seed=SEED)
    print(f"generated {home}: {files} files, {manifest['bytes'] / 1e6:.0f} MB in {time.perf_counter() - t:.1f} s",
          flush=True)
    return home, manifest


def warm_page_cache(home: Path) -> None:
    for path in home.rglob("*.jsonl"):
        with open(path, "rb") as f:
            while f.read(1 << 20):
                pass


def totals_ccusage(stdout: str) -> tuple[int, int, int]:
    t = json.loads(stdout)["totals"]
    return t["totalTokens"], t["cacheReadTokens"], t["outputTokens"]


def totals_codexbar(stdout: str) -> tuple[int, int, int]:
    t = json.loads(stdout)[0]["totals"]
    return t["totalTokens"], t["cacheReadTokens"], t["outputTokens"]


def newest_file(home: Path) -> Path:
    return max((home / "sessions").rglob("rollout-*.jsonl"), key=lambda p: p.stat().st_mtime)


def last_totals(path: Path) -> tuple[list[int], str]:
    """The file's last cumulative totals and its last turn_context model (what an append continues)."""
    total, model = [0, 0, 0, 0], "gpt-5"
    for line in path.read_text().splitlines():
        if '"turn_context"' in line or '"token_count"' in line:
            rec = json.loads(line)
            if rec["type"] == "turn_context":
                model = rec["payload"]["model"]
            elif rec["payload"].get("type") == "token_count":
                u = rec["payload"]["info"]["total_token_usage"]
                total = [u["input_tokens"], u["cached_input_tokens"], u["output_tokens"],
                         u["reasoning_output_tokens"]]
    return total, model


def append_event(path: Path, total: list[int], when: dt.datetime, n: int) -> tuple[list[int], list[int]]:
    last = [5000 + n, 4000, 100 + n, 10]
    total = [a + b for a, b in zip(total, last)]
    line = {"timestamp": gen_home.iso(when), "type": "event_msg", "payload": {"type": "token_count", "info": {
        "total_token_usage": gen_home.usage(*total), "last_token_usage": gen_home.usage(*last),
        "model_context_window": 258400}, "rate_limits": None}}
    with path.open("a") as f:
        f.write(json.dumps(line, separators=gen_home.SEP) + "\n")
    return total, last


def bench_home(home: Path, manifest: dict[str, Any], runs: int, work: Path, with_append: bool,
               ccusage: Path | None) -> dict[str, Any]:
    since = dt.date.fromisoformat(manifest["since"])
    until = dt.date.fromisoformat(manifest["until"])
    cache, config = work / "cache", work / "config"
    env = runners.codexbar_env(home, cache, config)
    cmd = [*runners.codexbar_command(), *runners.codexbar_args(since, until)]
    warm_page_cache(home)
    row: dict[str, Any] = {"home": str(home), "files": manifest["files"], "mb": round(manifest["bytes"] / 1e6)}

    def fresh_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(config, ignore_errors=True)
        cache.mkdir(parents=True)
        config.mkdir(parents=True)

    fresh_cache()
    measure(cmd, env)  # untimed: leaves the bytecode cache an installed plugin has
    # interleaved (ccusage, cold, rescan) rounds, so a burst of load elsewhere hits both tools alike
    cc: list[Sample] = []
    cold: list[Sample] = []
    rescan: list[Sample] = []
    for _ in range(runs):
        if ccusage is not None:
            cc.append(measure([str(ccusage), *runners.ccusage_args(since, until)],
                              runners.clean_env(CODEX_HOME=str(home))))
        fresh_cache()
        cold.append(measure(cmd, env))
        rescan.append(measure(cmd, env))
    if cc:
        row["ccusage"] = median(cc)
    row["cold"] = median(cold)
    row["rescan"] = median(rescan)
    if ccusage is not None:
        row["agree"] = totals_codexbar(row["cold"].stdout) == totals_ccusage(row["ccusage"].stdout)
        row["agree_detail"] = {"codexbar": totals_codexbar(row["cold"].stdout),
                               "ccusage": totals_ccusage(row["ccusage"].stdout)}
    if with_append:
        target = newest_file(home)
        original_size, original_stat = target.stat().st_size, target.stat()
        total, _model = last_totals(target)
        before = totals_codexbar(row["rescan"].stdout)
        when = dt.datetime.combine(until, dt.time(12, 0), dt.timezone.utc)
        appended, added = [], 0
        try:
            for n in range(runs):
                total, last = append_event(target, total, when + dt.timedelta(seconds=n), n)
                if thread_db.db_path(home).exists():
                    thread_db.touch_row(home, target)  # what Codex does after an append
                added += last[0] + last[2]
                appended.append(measure(cmd, env))
            after = totals_codexbar(appended[-1].stdout)
            row["append"] = median(appended)
            row["append_ok"] = after[0] - before[0] == added
        finally:
            with target.open("r+b") as f:  # put the home back as generated
                f.truncate(original_size)
            os.utime(target, ns=(original_stat.st_atime_ns, original_stat.st_mtime_ns))
    return row


def profile_scan(home: Path, manifest: dict[str, Any], work: Path, warm: bool) -> str:
    """cProfile summary of one codexbar scan: cold (empty cache) or warm (unchanged home, cache kept)."""
    since, until = manifest["since"], manifest["until"]
    cache, config = work / "prof-cache", work / "prof-config"
    python = str(runners.ROOT / ".venv" / "bin" / "python") if (runners.ROOT / ".venv").exists() else sys.executable
    cmd = [python, "-m", "codexbar_core", "cost", "--json", "--since", since, "--until", until, "--refresh"]
    env = runners.codexbar_env(home, cache, config)
    if not warm:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(config, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    config.mkdir(parents=True, exist_ok=True)
    if warm:
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
    stats = work / "scan.prof"
    subprocess.run([python, "-m", "cProfile", "-o", str(stats), *cmd[1:]], env=env, stdout=subprocess.DEVNULL,
                   check=True)
    import io
    import pstats

    buf = io.StringIO()
    p = pstats.Stats(str(stats), stream=buf)
    p.sort_stats("tottime").print_stats(15)
    p.sort_stats("cumulative").print_stats(25)
    return buf.getvalue()


def conditions() -> str:
    """What else could move the numbers: machine load and whether the scanner has uncommitted edits."""
    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=runners.ROOT, capture_output=True, text=True)
        return proc.stdout.strip()

    dirty = git("status", "--porcelain", "--", "lib/codexbar_core/cost")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"commit {git('rev-parse', '--short', 'HEAD')}{' + uncommitted cost/ edits' if dirty else ''}, load {load}"


def python_floor(home: Path) -> str:
    """What any one-process Python scanner pays at least: read every file, find every token_count
    line, decode it (orjson when installed). The rest of a cold scan is the scanner's own work."""
    try:
        import orjson

        loads = orjson.loads
    except ImportError:
        loads = json.loads
    files = [str(p) for p in home.rglob("*.jsonl")]
    t0 = time.perf_counter()
    for name in files:
        with open(name, "rb") as f:
            f.read()
    t1 = time.perf_counter()
    events = 0
    for name in files:
        with open(name, "rb") as f:
            data = f.read()
        at = data.find(b'"type":"token_count"')
        while at >= 0:
            end = data.find(b"\n", at)
            end = len(data) if end < 0 else end
            loads(data[data.rfind(b"\n", 0, at) + 1:end])
            events += 1
            at = data.find(b'"type":"token_count"', end)
    t2 = time.perf_counter()
    return (f"one-process Python floor on {home.name}: read {t1 - t0:.3f} s; read + find + decode "
            f"{events} token_count lines ({loads.__module__}) {t2 - t1:.3f} s")


def wait_for_quiet(limit: float, patience: float = 300) -> None:
    """Other people's test runs share the CPUs; give them a chance to finish first."""
    deadline = time.monotonic() + patience
    while os.getloadavg()[0] >= limit and time.monotonic() < deadline:
        time.sleep(5)


def fmt(rows: list[dict[str, Any]]) -> str:
    """One line per home: wall seconds, CPU seconds, peak RSS MB, and the ratios the targets name."""
    head = (f"{'home':>14} | {'ccusage wall/cpu s':>18} {'MB':>4} | {'cold wall/cpu s':>15} {'MB':>4} "
            f"{'x cc wall/cpu':>13} | {'rescan s':>8} {'MB':>4} {'x cold':>6} | {'append s':>8} {'MB':>4} | agree")
    lines = [head]
    for r in rows:
        cc, cold, rescan, app = r.get("ccusage"), r["cold"], r["rescan"], r.get("append")
        cc_cell = f"{cc.seconds:8.3f}/{cc.cpu:<9.3f} {cc.rss_mb:4.0f}" if cc else f"{'-':>18} {'-':>4}"
        ratio = f"{cold.seconds / cc.seconds:6.2f}/{cold.cpu / max(cc.cpu, 1e-9):<6.2f}" if cc else f"{'-':>13}"
        app_cell = f"{app.seconds:8.3f} {app.rss_mb:4.0f}" if app else f"{'-':>8} {'-':>4}"
        agree = {True: "yes", False: "NO"}.get(r.get("agree"), "-")
        if "append_ok" in r and not r["append_ok"]:
            agree += " (append NOT seen)"
        lines.append(f"{r['files']:>5}f {r['mb']:>5}MB | {cc_cell} | {cold.seconds:7.3f}/{cold.cpu:<7.3f} "
                     f"{cold.rss_mb:4.0f} {ratio} | {rescan.seconds:8.3f} {rescan.rss_mb:4.0f} "
                     f"{rescan.seconds / cold.seconds:6.3f} | {app_cell} | {agree}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="2000:200,10000:1000", help="comma list of FILES:MB")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--homes", type=Path, default=Path("/var/tmp/codexbar-bench"))
    ap.add_argument("--work", type=Path, default=None,
                    help="cache/config folder of the codexbar runs (default: HOMES/work); give each bencher its own")
    ap.add_argument("--no-append", action="store_true",
                    help="skip the append step (it writes to the largest home, then truncates it back)")
    ap.add_argument("--no-ccusage", action="store_true")
    ap.add_argument("--profile", action="store_true", help="cProfile a cold and a warm scan of the largest home")
    ap.add_argument("--floor", action="store_true", help="time the bare read + find + decode of the largest home")
    ap.add_argument("--quiet-load", type=float, default=0,
                    help="before each home, wait (up to 5 min) until the 1-minute load average is below this")
    args = ap.parse_args()
    sizes = [(int(f), float(m)) for f, m in (s.split(":") for s in args.sizes.split(","))]
    ccusage = None if args.no_ccusage else runners.ccusage_binary()
    if ccusage is None and not args.no_ccusage:
        print("ccusage not installed: run bench/install_ccusage.sh (or pass --no-ccusage)", file=sys.stderr)
        return 2
    OUT.mkdir(exist_ok=True)
    work = args.work or args.homes / "work"
    before = conditions()
    rows = []
    for i, (files, mb) in enumerate(sizes):
        home, manifest = ensure_home(args.homes, files, mb)
        if args.quiet_load:
            wait_for_quiet(args.quiet_load)
        rows.append(bench_home(home, manifest, args.runs, work, i == len(sizes) - 1 and not args.no_append, ccusage))
        print(fmt(rows[-1:]).splitlines()[1], flush=True)
    header = (f"codexbar cost vs ccusage {'(native ' + str(ccusage) + ')' if ccusage else ''}\n"
              f"{time.strftime('%Y-%m-%d %H:%M:%S')}, {os.cpu_count()} CPUs, median of {args.runs} runs, "
              f"warm page cache, RSS = peak of process tree\n"
              f"before: {before}; after: {conditions()}\n")
    table = header + fmt(rows)
    if args.floor:
        table += "\n" + python_floor(ensure_home(args.homes, *sizes[-1])[0])
    if args.profile:
        home, manifest = ensure_home(args.homes, *sizes[-1])
        for warm in (False, True):
            table += (f"\n\ncProfile of one {'warm rescan' if warm else 'cold scan'} (largest home, one process; "
                      f"a second one may scan in parallel):\n" + profile_scan(home, manifest, work, warm))
    print(table)
    (OUT / "cost_bench.txt").write_text(table + "\n")
    (OUT / "cost_bench.json").write_text(json.dumps([
        {k: (v.__dict__ | {"stdout": None} if isinstance(v, Sample) else v) for k, v in r.items()} for r in rows],
        indent=1, default=str))
    (OUT / ".stdout.tmp").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
