"""Parallel execution: a big cold scan splits its files with a second process (cost/worker.py).

The helper's interpreter takes ~50 ms to start, so cost_report starts it before discovery when a
first scan is coming and the scanner takes it over (or stops it when the scan turns out small).
The split is by state bucket (store.py): the job goes to the helper one bucket per line, the helper
writes its buckets' records to the cache itself and sends back, per finished bucket, one line with
the bucket's summed totals and each log's session id and malformed lines (protocol in worker.py).
A subprocess rather than multiprocessing, so nothing re-imports the plugin script.
"""

from __future__ import annotations

import os
import sys
import time

from codexbar_core import errors
from codexbar_core.cost.records import FileEntry
from codexbar_core.cost.store import dumps, file_state_key, loads

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

    from codexbar_core.cost.folder_listing import LogFile
    from codexbar_core.cost.scan import Scanner

PARALLEL_MIN_BYTES = 48 * 1024 * 1024
# Both sides write their own records as they go; the helper starts during discovery. This share of
# the bytes makes both processes finish together on the 1 GB bench home (measured, 2 cores).
HELPER_SHARE = 0.51


def start_helper() -> Any:
    """A scan helper process (cost/worker.py) waiting for its job on stdin, or None if it cannot start.
    Started before discovery on a first scan, its interpreter start-up overlaps our own work."""
    import subprocess

    # The helper sees exactly the import path we have (the plugin adds lib/ itself at run time).
    lib = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([lib, *(p for p in sys.path if p)]))
    try:
        return subprocess.Popen([sys.executable, "-m", "codexbar_core.cost.worker"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    except OSError:
        return None


def stop_helper(proc: Any) -> None:
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait()


def scan_parallel(scanner: Scanner, todo: list[LogFile], prevs: dict[str, dict[str, Any]], total: int) -> None:
    """Hand about half the bytes to a helper process and parse the other half here.

    The split is by state bucket (a folder's files are kept in a few buckets, see store.py): the
    helper writes the records of its buckets to the cache itself and sends back only each file's
    small home entry, so neither the records nor their storing pass through this process."""
    import subprocess
    import threading

    from codexbar_core.cost.filerecord import scan_batch

    store = scanner.state.store
    units: dict[str, list[LogFile]] = {}
    for log in todo:
        units.setdefault(file_state_key(scanner.state.home, log.path)[0], []).append(log)
    mine: list[LogFile] = []
    theirs: list[list[LogFile]] = []  # the helper's units
    their_keys: set[str] = set()
    load = [0, 0]
    # Greedy by size, biggest first, until the helper has its share of the bytes.
    helper_bytes = total * HELPER_SHARE
    for key, items in sorted(units.items(), key=lambda kv: -sum(log.size for log in kv[1])):
        size = sum(log.size for log in items)
        if load[1] + size / 2 > helper_bytes or store is None:
            mine.extend(items)
            load[0] += size
        else:
            theirs.append(items)
            their_keys.add(key)
            load[1] += size
    proc, scanner.helper = scanner.helper, None
    if theirs and proc is None:
        proc = start_helper()
    elif not theirs:
        stop_helper(proc)
        proc = None
    if proc is None:
        mine, theirs = todo, []
    lines: list[bytes] = []
    if proc is not None:
        assert store is not None
        header = dumps({"cache": str(store.directory), "home": scanner.state.home,
                        "lookup": scanner.look_up_files, "ignore_saved": scanner.state.ignore_saved,
                        "overrides": scanner.overrides, "fast": scanner.prices.fast_turns}).encode()
        reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True)
        reader.start()

        def send_job(pipe: Any, units: list[list[LogFile]]) -> None:
            """The job line by line, each unit encoded as the pipe takes it: neither process holds
            the whole job (docs/design/cost-memory.md)."""
            try:
                pipe.write(header + b"\n")
                for items in units:
                    pipe.write(dumps([[log.path, [log.ino, log.mtime_ns, log.size]] for log in items]).encode()
                               + b"\n")
                pipe.close()
            except OSError:
                pass

        # From a thread: the job is larger than a pipe holds, and the helper reads it only once its
        # interpreter is up (~40 ms we would otherwise spend waiting instead of parsing).
        threading.Thread(target=send_job, args=(proc.stdin, theirs), daemon=True).start()

    def take_helper_results(wait: bool) -> None:
        """Take the entries of the buckets the helper has written; stop it if it is still running."""
        if proc is None:
            return
        if wait:
            timeout = None if scanner.deadline is None else max(0.0, scanner.deadline - time.monotonic())
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=5)
        for key in their_keys:
            scanner.state.forget_bucket(key)  # the helper rewrote it: read it again if needed
        for items, raw in zip(theirs, lines):  # one line per unit, in the order they were sent
            if not raw.endswith(b"\n"):
                break  # cut off mid-record
            try:
                unit_total, files = loads(raw)
            except (ValueError, TypeError):
                break
            # a whole bucket, sent only after it was written; the listing's strings and numbers are
            # reused (not a second copy of every path and signature: memory)
            by_name = {log.name: log for log in items}
            plain: list[tuple[str, FileEntry]] = []
            for name, *known in files:
                log = by_name.get(name)
                if log is None:
                    continue
                path = log.path
                scanner.records.pop(path, None)
                if not known:  # a fork or subagent, classified only: its record says more
                    rec = scanner.record(path)
                    if rec is None:
                        continue
                    scanner.set_entry(path, FileEntry.from_record(rec), None)
                else:
                    plain.append((path, FileEntry(log.ino, log.mtime_ns, log.size, known[0], "plain", known[1], True,
                                                  None)))
                finished.add(path)
            if plain:  # their totals come summed: the folder's share of the bucket
                scanner.fold_entries(os.path.dirname(plain[0][0]), plain, unit_total)

    finished: set[str] = set()
    try:
        try:
            # Our buckets are written as each is finished, like the helper's: the writing then
            # overlaps the helper's parsing instead of following it.
            scanner.scan_items(mine, prevs, by_bucket=proc is not None, fold=True)
        except errors.SourceTimeout:
            take_helper_results(wait=False)  # keep the helper's finished files for the next run
            scanner.save(partial=True)
            raise
        take_helper_results(wait=True)
        for items in theirs:  # the helper died or ran out of time: do its rest here
            for log in items:
                if log.path not in finished:
                    scanner.check_deadline()
                    item = (log.path, log.signature, prevs.get(log.path))
                    scanner.store_result(log.path, scan_batch([item], scanner.prices)[0], fold=True)
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

