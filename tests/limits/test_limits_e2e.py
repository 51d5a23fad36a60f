"""The plugin as a user runs it, against a fake backend whose windows change between refreshes; the
notifications reach a recording `notify-send` (each change once), and the menu shows the new states."""

from __future__ import annotations

import os
import time

from tests.rig.codex_home import make_codex_home
from tests.rig.fake_backend import reset_credits_body, usage_body
from tests.rig.notify_send import fake_notify_send, sent
from tests.rig.runner import run_codexbar, run_plugin


def test_windows_that_change_between_refreshes_are_told_once_each(scratch, env_for, backend):
    bindir, log = fake_notify_send(scratch)
    env = env_for(make_codex_home(scratch / "home", backend.url))
    env.pop("CODEXBAR_NO_NOTIFY")
    env["PATH"] = f"{bindir}:{os.environ.get('PATH', '')}"
    both = usage_body(primary_used=30, secondary_used=40, plan="plus")
    weekly_only = usage_body(primary_used=None, secondary_used=41, plan="plus")
    sent_after: list[list[str]] = []
    for body in (both, both, weekly_only, weekly_only, weekly_only, both, both, both):
        backend.set_usage(body)
        run_codexbar(["refresh"], env)  # as the menu's Refresh does: the next run asks anew
        menu = run_plugin(env).stdout
        assert "Weekly:" in menu
        sent_after.append([f"{title} | {body}" for _app, title, body in sent(log)])
    assert sent_after[2] == []  # one answer without the 5-hour window: wait for the next
    assert sent_after[3] == ["Codex: the 5-hour limit is gone | Limits that apply now: weekly."]
    assert sent_after[-1] == ["Codex: the 5-hour limit is gone | Limits that apply now: weekly.",
                              "Codex: a 5-hour limit is back | Limits that apply now: 5-hour, weekly."]


def test_an_exhausted_account_with_a_banked_credit_reads_right(scratch, env_for, backend):
    now = int(time.time())
    backend.set_usage(usage_body(primary_used=35, secondary_used=100, secondary_reset_at=now + 2 * 86400))
    backend.set_reset_credits(reset_credits_body([now + 10 * 86400]))
    env = env_for(make_codex_home(scratch / "home", backend.url))
    lines = run_plugin(env).stdout.splitlines()
    title = lines[0].split(" | ")[0]
    assert title.startswith("Codex Weekly · usable ") and "limit reached" not in title
    assert lines[2].split(" | ")[0] == f"Weekly limit reached · {title.split(' · ', 1)[1]}"
    assert lines[3].startswith("Spending a reset credit in Codex could lift it now (codexbar never spends one)")
    assert not [r for r in backend.requests if r["method"] == "POST"]
