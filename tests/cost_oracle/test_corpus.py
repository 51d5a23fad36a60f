"""`codexbar cost --json` over rollout files the real Codex CLI 0.169.0 wrote (harness corpus).

Each corpus folder holds the `sessions/` tree codex wrote while talking to the harness's fake
Responses API, the backend's request log (what it served, when) and `expected.json`. The report must
give, per local day and per model, exactly the tokens the backend served, priced per docs/reference/cost-rules.md "Pricing".
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.rig.runner import cost_json
from tests.rig.served import Served, assert_matches, overall, window

CORPUS = Path(__file__).parent / "corpus"
CORPORA = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").exists())


def served_from_log(folder: Path) -> list[Served]:
    out = []
    for line in (folder / "fake_backend.log.jsonl").read_text().splitlines():
        rec = json.loads(line)
        if rec.get("served_usage"):
            at = dt.datetime.strptime(rec["ts"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
            out.append(Served(rec["model"], rec["served_usage"], at, rec.get("session_id")))
    return out


def served_from_expected(folder: Path) -> list[Served]:
    doc = json.loads((folder / "expected.json").read_text())
    return [Served(r["model"], r["usage"], session_id=s["session_id"])
            for s in doc["sessions"] for r in s["responses"]]


def copy_home(folder: Path, dest: Path) -> Path:
    home = dest / "codex_home"
    shutil.copytree(folder / "sessions", home / "sessions")
    return home


@pytest.mark.parametrize("corpus", CORPORA)
def test_log_and_expected_agree(corpus: str) -> None:
    """The corpus is self-consistent: the backend log and expected.json list the same answers."""
    folder = CORPUS / corpus
    key = lambda s: (s.session_id, s.model, json.dumps(s.usage, sort_keys=True))  # noqa: E731
    assert sorted(map(key, served_from_log(folder))) == sorted(map(key, served_from_expected(folder)))


@pytest.mark.parametrize("tz", ["UTC", "Asia/Tokyo", "America/Los_Angeles"])
@pytest.mark.parametrize("corpus", CORPORA)
def test_report_equals_what_the_backend_served(corpus: str, tz: str, scratch: Path, env_for) -> None:
    folder = CORPUS / corpus
    served = served_from_log(folder)
    home = copy_home(folder, scratch)
    since, until = window(served, ZoneInfo(tz))
    report = cost_json(env_for(home, TZ=tz), "--since", since, "--until", until, "--refresh")
    assert_matches(report, served, ZoneInfo(tz))


@pytest.mark.parametrize("corpus", CORPORA)
def test_archived_copies_count_once(corpus: str, scratch: Path, env_for) -> None:
    """A session archived by codex (moved) still counts; one present in both places counts once."""
    folder = CORPUS / corpus
    served = served_from_log(folder)
    home = copy_home(folder, scratch)
    files = sorted((home / "sessions").rglob("rollout-*.jsonl"), key=lambda p: p.stat().st_size)
    archived = home / "archived_sessions"
    archived.mkdir()
    shutil.move(str(files[0]), archived / files[0].name)  # archived: moved out of sessions/
    shutil.copy2(files[-1], archived / files[-1].name)  # the biggest (resumed) one: in both places
    since, until = window(served, dt.timezone.utc)
    report = cost_json(env_for(home), "--since", since, "--until", until, "--refresh")
    assert_matches(report, served, dt.timezone.utc)


@pytest.mark.parametrize("corpus", CORPORA)
def test_file_caught_mid_write_then_completed(corpus: str, scratch: Path, env_for) -> None:
    """A rollout cut mid-line (codex still writing) gives a partial report, never an error; once
    the rest is appended to the same file, a refresh gives exactly the full numbers."""
    folder = CORPUS / corpus
    served = served_from_log(folder)
    home = copy_home(folder, scratch)
    biggest = max((home / "sessions").rglob("rollout-*.jsonl"), key=lambda p: p.stat().st_size)
    data = biggest.read_bytes()
    cut = data.rindex(b'"type":"token_count"') + 40  # inside the last token_count line
    biggest.write_bytes(data[:cut])
    env = env_for(home)
    since, until = window(served, dt.timezone.utc)
    partial = cost_json(env, "--since", since, "--until", until, "--refresh")
    full = overall(served)
    assert 0 < partial["totals"]["totalTokens"] < full.total
    with biggest.open("ab") as f:  # same inode, grown: the incremental path
        f.write(data[cut:])
    assert_matches(cost_json(env, "--since", since, "--until", until, "--refresh"), served, dt.timezone.utc)
