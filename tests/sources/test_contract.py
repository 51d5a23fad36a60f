"""One contract every usage source keeps, run against each entry of the source registry.

Each source gets a home where it can answer (the fake backend over TLS, the real Codex CLI, a fake
chatgpt.com, a session log) and a home where it cannot; what the pipeline relies on must hold for all
of them (docs/design/sources-and-commands.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codexbar_core import errors
from codexbar_core.model import UsageSnapshot
from codexbar_core.normalize import normalize_snapshot
from codexbar_core.settings import Settings
from codexbar_core.sources import registry
from codexbar_core.sources.base import Availability, FetchContext
from tests.limits.gen import limits, token_count, turn_context, write_log
from tests.rig.codex_home import make_codex_home
from tests.rig.leaks import secrets_of
from tests.rig.runner import ROOT, base_env
from tests.web.conftest import cookie_header
from tests.web.fake_chatgpt import SESSION_VALUE, FakeChatGPT

SPECS = [pytest.param(spec, id=spec.id) for spec in registry.SOURCES]
NEEDS_REAL_CLI = {"cli", "pty"}


@dataclasses.dataclass
class Rig:
    """A home and context where one source can answer, and the secrets it holds."""

    ctx: FetchContext
    secrets: list[str]


def _ctx(home: Path, env: dict[str, str], *, seconds: float = 30.0, cookie_mode: str = "off",
         background: bool = False) -> FetchContext:
    return FetchContext(codex_home=home, deadline=time.monotonic() + seconds, env=env,
                        settings=Settings({"cookie_mode": cookie_mode}), background=background)


@pytest.fixture
def answering(request, scratch: Path, backend, local_tls, env_for):
    """answering(source_id) -> a Rig whose source returns a snapshot."""

    def make(source_id: str) -> Rig:
        home = make_codex_home(scratch / "home", backend.url)
        env = env_for(home)
        if source_id in NEEDS_REAL_CLI:
            env["CODEX_CLI_PATH"] = str(request.getfixturevalue("codex_bin"))
        if source_id == "web":
            site = FakeChatGPT(backend)
            env.update(CODEXBAR_WEB_BASE_URL=site.url, CODEXBAR_KEYRING="off",
                       CODEXBAR_COOKIE_STORES="none=/nonexistent",
                       CODEXBAR_OPENAI_COOKIE=cookie_header(SESSION_VALUE))
            return Rig(_ctx(home, env), secrets_of(home) + [SESSION_VALUE])
        if source_id == "logs":
            now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=3)
            write_log(home, now, [turn_context(now, "gpt-5.5"), token_count(now, 100, limits(40, 20))])
        return Rig(_ctx(home, env), secrets_of(home))

    return make


@pytest.fixture
def empty_home(scratch: Path, local_tls) -> FetchContext:
    """No login, no session log, no codex binary, cookies off: no source can answer."""
    home = make_codex_home(scratch / "empty", None, login="none")
    env = base_env(scratch, home, CODEX_CA_CERTIFICATE=str(local_tls.ca_pem), CODEXBAR_KEYRING="off",
                   CODEXBAR_COOKIE_STORES="none=/nonexistent")
    return _ctx(home, env, seconds=20)


def _text(snapshot: UsageSnapshot) -> str:
    return json.dumps(snapshot.to_dict(), default=str) + repr(snapshot)


# -- the registry itself ---------------------------------------------------------------------------

@pytest.mark.parametrize("spec", SPECS)
def test_the_entry_names_the_class_that_is_loaded(spec):
    source = spec.load()
    assert (source.id, source.label) == (spec.id, spec.label)
    assert callable(source.availability) and callable(source.fetch)


def test_loading_the_registry_imports_no_source():
    """A warm run that reuses the cache must not pay for HTTP or PTY machinery."""
    code = ("import sys; import codexbar_core.sources.registry; "
            "print(sorted(m for m in sys.modules if m.startswith('codexbar_core.sources.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT / "lib"), "PATH": "/usr/bin:/bin"})
    assert json.loads(out.stdout.replace("'", '"')) == ["codexbar_core.sources.registry"]


def test_every_source_can_be_asked_for_and_every_chain_names_known_sources():
    from codexbar_core.settings import SOURCES as SETTABLE

    assert set(SETTABLE) - {"auto"} <= set(registry.BY_ID)
    for chains in registry.CHAINS.values():
        assert set(chains.menu + chains.command + chains.menu_extras) <= set(registry.BY_ID)
    assert [s for s in registry.CHAINS["auto"].menu if registry.BY_ID[s].last_resort] == ["logs"]
    assert registry.CHAINS["auto"].menu[-1] == "logs"  # the last resort comes last


# -- what every source does ------------------------------------------------------------------------

@pytest.mark.parametrize("spec", SPECS)
def test_where_it_can_answer_it_returns_a_snapshot_under_its_label(spec, answering):
    rig = answering(spec.id)
    source = spec.load()
    assert source.availability(rig.ctx).usable
    snapshot = source.fetch(rig.ctx)
    assert isinstance(snapshot, UsageSnapshot) and snapshot.source == spec.label
    normal = normalize_snapshot(snapshot)
    assert normal.has_windows
    for window in (normal.primary, normal.secondary):
        if window is not None:
            assert 0 <= window.used_percent <= 100
    assert snapshot.fetched_at.tzinfo is not None
    for secret in rig.secrets:
        assert secret not in _text(snapshot)


@pytest.mark.parametrize("spec", SPECS)
def test_where_it_cannot_answer_it_says_so_with_a_known_kind(spec, empty_home):
    source = spec.load()
    avail = source.availability(empty_home)
    assert isinstance(avail, Availability) and avail.reason.strip()
    if not avail.usable:
        return  # the pipeline skips it and records the reason
    with pytest.raises(errors.CodexbarError) as info:
        source.fetch(empty_home)
    err = info.value
    assert isinstance(err.kind, errors.ErrorKind)
    assert err.expected, f"{spec.id} reported a user's condition as a bug: {err.message}"
    assert err.message.strip() and err.to_json()["kind"] == err.kind.value


@pytest.mark.parametrize("spec", SPECS)
def test_with_no_time_left_it_raises_a_timeout_unless_it_is_the_last_resort(spec, answering):
    rig = answering(spec.id)
    rig.ctx.deadline = time.monotonic() - 1
    source = spec.load()
    if spec.last_resort:  # the pipeline runs it whatever the budget: reading a log tail takes milliseconds
        assert source.fetch(rig.ctx).source == spec.label
        return
    with pytest.raises(errors.CodexbarError) as info:
        source.fetch(rig.ctx)
    assert info.value.kind == errors.ErrorKind.TIMEOUT
    for secret in rig.secrets:
        assert secret not in info.value.message


@pytest.mark.parametrize("spec", SPECS)
def test_a_background_refresh_runs_it_only_if_it_starts_nothing_a_person_should_see(spec, answering):
    rig = answering(spec.id)
    rig.ctx.background = True
    source = spec.load()
    if spec.interactive_only:
        assert not source.availability(rig.ctx).usable
        with pytest.raises(errors.CodexbarError):
            source.fetch(rig.ctx)
    else:
        assert source.availability(rig.ctx).usable
        assert source.fetch(rig.ctx).source == spec.label
