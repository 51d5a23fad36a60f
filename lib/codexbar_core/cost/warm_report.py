"""The warm report of `codexbar cost --json` (its "quick path"): reprint the saved cost report,
without importing the engine, when no log has changed.

An unchanged home is the common case (the menu asks every 5 minutes; most of the time nobody is
running Codex). Knowing that still means a stat of every log in the window, but nothing else of
codexbar is needed: no settings parsing, no SQLite, no price table, no scanner. The full command
leaves a snapshot here (`cost-quick.bin` in the cache folder, owner-only; `marshal`, which needs no
import, and the key holds the Python version): the printed JSON with
a marker where each report's `updatedAt` goes, and per home the window and the digest of every
log's (path, inode, mtime, size) that the report was computed from. Beside it, `cost-listing.bin`
keeps the names of the settled date folders (not listed again while a folder's mtime holds).

The snapshot is used only when everything else the output depends on is unchanged, which its key
says: the command's arguments, today's date, the time zone, the environment that picks homes and
folders, the settings and price-override files, and codexbar's own code and price table (every
file of the package, code_stamp.py). Anything
else (a text report, an error, a stale fallback) goes the full way.

Only the standard library's cheapest modules may be imported here (like fastpath.py).
"""

from __future__ import annotations

import marshal
import os
import sys
import time

from codexbar_core import warm_paths
from codexbar_core.code_stamp import code_stamp

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing would cost ~4 ms here
if TYPE_CHECKING:
    from typing import Any

    from codexbar_core.cost.folder_listing import Walk
    from codexbar_core.cost.handover import CostHandover

FILE_NAME = "cost-quick.bin"
# The settled date folders' names (discover.SETTLED_NS), apart from the snapshot: they rarely change,
# so a run that finds a grown log rewrites only the small snapshot. Only ever a hint: a folder's
# names are reused only while its mtime is the one recorded with them.
LISTING_NAME = "cost-listing.bin"
UPDATED_MARK = "@@updatedAt@@"
UPDATED_MARK_JSON = '"' + UPDATED_MARK + '"'
KEY_VARS = ("CODEX_HOME", "TZ", "CODEXBAR_CONFIG_DIR", "SWIFTBAR_PLUGIN_DATA_PATH", "CODEXBAR_CACHE_DIR",
            "SWIFTBAR_PLUGIN_CACHE_PATH", "HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")


def snapshot_key(argv: list[str], env: dict[str, str]) -> str:
    """Everything besides the logs that `codexbar cost --json <argv>` prints depends on."""
    config = warm_paths.config_dir(env)
    today = time.strftime("%Y-%m-%d")
    parts = [f"argv={argv!r}", f"today={today}", f"tz={time.tzname}|{time.timezone}|{time.altzone}",
             f"settings={warm_paths.file_stamp(os.path.join(config, 'settings.json'))}",
             f"prices={warm_paths.file_stamp(os.path.join(config, 'prices.json'))}",
             f"python={sys.version_info[:3]}", *(f"{k}={env.get(k, '')}" for k in KEY_VARS),
             code_stamp()]
    return "\n".join(parts)


def quick_args(argv: list[str]) -> list[str] | None:
    """`argv` (after `cost`) in a canonical form, or None when the quick path does not apply
    (not --json, or anything it does not know: the full parser will say what is wrong)."""
    canonical: list[str] = []
    saw_json = False
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition("=")
        if arg == "--json":
            saw_json = True
        elif arg == "--refresh":
            pass  # an unchanged home gives the same report either way
        elif name in ("--days", "--since", "--until"):
            if not eq:
                i += 1
                if i >= len(argv):
                    return None
                value = argv[i]
            canonical.append(f"{name}={value}")
        else:
            return None
        i += 1
    return sorted(canonical) if saw_json else None


def _path(env: dict[str, str]) -> str:
    return os.path.join(warm_paths.cache_dir(env), FILE_NAME)


def try_print(argv: list[str], env: dict[str, str], handover: CostHandover) -> bool:
    """Print the snapshot's report if it is still the right one; False (printing nothing) otherwise,
    leaving in `handover` a walk that found a change (the full path goes on from it)."""
    args = quick_args(argv)
    if args is None:
        return False
    try:
        with open(_path(env), "rb") as fh:
            data = marshal.loads(fh.read())  # not marshal.load(fh): it reads a file in small pieces, 4x slower
        if data["key"] != snapshot_key(args, env):
            return False
        homes = data["homes"]
        text = data["text"]
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        return False
    if not (isinstance(text, str) and isinstance(homes, list) and homes
            and text.count(UPDATED_MARK_JSON) == len(homes)):
        return False
    walked = _homes_walked(homes, env, handover)
    if walked is None:
        return False
    if walked:
        _renew_memos(data, walked, env)
    now = time.strftime('"%Y-%m-%dT%H:%M:%SZ"', time.gmtime())
    sys.stdout.write(text.replace(UPDATED_MARK_JSON, now) + "\n")
    return True


def _homes_walked(homes: list[dict[str, Any]], env: dict[str, str],
                  handover: CostHandover) -> list[tuple[int, Walk]] | None:
    """None when some home's logs changed since the snapshot, else the homes that needed a walk to
    tell (with that walk): a home whose thread-index memo holds needs no stat per log
    (docs/design/thread-index.md), the others are walked and the digest of every log compared. A
    home whose young memo no longer holds goes to the full path at once: it lists only the folders
    the index says changed (index_memo.changes), where a walk here would stat every log."""
    from codexbar_core.cost.index_memo import VERIFY_EVERY_S, unchanged

    walked: list[tuple[int, Walk]] = []
    try:
        for number, home in enumerate(homes):
            memo = home.get("index")
            if unchanged(str(home["path"]), memo):
                continue
            if memo is not None and 0 <= time.time() - memo["made"] < VERIFY_EVERY_S:
                return None
            from codexbar_core.cost.discover import discover
            from codexbar_core.cost.log_digests import folder_digests, report_digest

            window = (str(home["path"]), str(home["since"]), str(home["until"]))
            walk = discover(*window, known=_read_listing(env, handover))
            if report_digest(folder_digests(walk.logs), list(home["extra"])) != home["digest"]:
                handover.walks[window] = walk  # the full path goes on from this listing
                return None
            walked.append((number, walk))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return walked


def _renew_memos(data: dict[str, Any], walked: list[tuple[int, Walk]], env: dict[str, str]) -> None:
    """After walks confirmed the snapshot: fresh memos, so the next runs need no walk again."""
    from codexbar_core.cost.index_memo import make_memo
    from codexbar_core.cost.log_digests import folder_digests

    renewed = False
    try:
        for number, walk in walked:
            home = data["homes"][number]
            memo = make_memo(str(home["path"]), walk, list(home["extra"]), folder_digests(walk.logs))
            renewed = renewed or memo is not None or home.get("index") is not None
            home["index"] = memo
        if renewed:  # a home without a usable index: nothing to write on every refresh
            warm_paths.write_owner_only(_path(env), marshal.dumps(data))
    except (OSError, KeyError, TypeError, IndexError, AttributeError):
        return


def printed_and_saved(argv: list[str], env: dict[str, str], reports: list[dict[str, Any]], render: Any,
                      handover: CostHandover) -> str:
    """The text `codexbar cost --json` prints for `reports`, rendered once; when every report is
    complete and its digest known (`handover.noted`: what cost_report computed for each), the same
    rendering, with a marker where each `updatedAt` goes, is left as the next run's snapshot."""
    snapshot = _snapshot(argv, env, reports, render, handover)
    if snapshot is None:
        return render(reports)
    data, listed = snapshot
    text = data["text"]
    for report in reports:  # the markers, in the reports' order
        text = text.replace(UPDATED_MARK_JSON, render(report["updatedAt"]), 1)
    try:
        warm_paths.write_owner_only(_path(env), marshal.dumps(data))
        if listed is not None and listed != _read_listing(env, handover):
            warm_paths.write_owner_only(os.path.join(warm_paths.cache_dir(env), LISTING_NAME), marshal.dumps(listed))
    except OSError:
        pass  # no snapshot: the next run goes the full way (the cache folder's trouble is noted elsewhere)
    return text


def _snapshot(argv: list[str], env: dict[str, str], reports: list[dict[str, Any]], render: Any,
              handover: CostHandover) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    """(the snapshot, the folder listings to keep or None) for these reports; None when one of them
    cannot be vouched for."""
    args = quick_args(argv)
    if args is None:
        return None
    homes = []
    listed: dict[str, Any] = {}
    keep_listing = False
    for report in reports:
        if "error" in report or report.get("stale") or not isinstance(report.get("updatedAt"), str):
            return None
        noted = handover.noted.get((str(report.get("codexHome")), str(report.get("since")), str(report.get("until"))))
        if noted is None:
            return None  # a report not computed here (a stale fallback): nothing to vouch for it
        homes.append({"path": report["codexHome"], "since": report["since"], "until": report["until"],
                      "digest": noted.digest, "extra": noted.extra, "index": noted.memo})
        if noted.listed is None:
            keep_listing = True
        else:
            listed.update(noted.listed)
    text = render([dict(report, updatedAt=UPDATED_MARK) for report in reports])
    if text.count(UPDATED_MARK_JSON) != len(reports):
        return None  # the marker also appears elsewhere (a home named like it): no snapshot
    return {"key": snapshot_key(args, env), "homes": homes, "text": text}, None if keep_listing else listed


def _read_listing(env: dict[str, str], handover: CostHandover) -> dict[str, Any]:
    """The saved folder listings, read at most once per process (kept in `handover`)."""
    if handover.listing is None:
        try:
            with open(os.path.join(warm_paths.cache_dir(env), LISTING_NAME), "rb") as fh:
                found = marshal.loads(fh.read())
        except (OSError, ValueError, EOFError, TypeError):
            found = None
        handover.listing = found if isinstance(found, dict) else {}
    return handover.listing
