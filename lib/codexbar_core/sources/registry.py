"""Every usage source in one table, and the fallback rules read from it (modelled on keyring's backends).

Each source is one small class in its own module, imported only when a chain reaches it (a warm run
that reuses the cache loads no HTTP or PTY machinery). This table says what the pipeline needs to
know about each one; `pipeline.run_chain` holds no per-source rule of its own. The rules, and why,
are in docs/design/sources-and-commands.md.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from codexbar_core.errors import FALLTHROUGH_KINDS, KEYRING_KINDS, CodexbarError, ErrorKind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from codexbar_core.model import UsageSnapshot
    from codexbar_core.sources.base import Source

ANY_FAILURE = frozenset(ErrorKind)

# What the CLI's JSON-RPC path fails on that the /status screen may get around.
STATUS_SCREEN_CAN_FIX = frozenset({ErrorKind.INVALID_RESPONSE, ErrorKind.BUG, ErrorKind.ERROR, ErrorKind.PARSE})


@dataclass(frozen=True)
class SourceSpec:
    """One usage source, as the pipeline sees it."""

    id: str  # what `--source`, settings and the trace call it
    label: str  # what the menu shows as the answer's source (the class's `label` says the same)
    module: str  # imported lazily
    class_name: str
    description: str  # what it reads, for the trace ("the /status screen")
    # Failures of the source tried before this one that this one may get around.
    recovers: frozenset[ErrorKind] = FALLTHROUGH_KINDS
    # When set, this source only runs right after one of these sources failed (a second try).
    only_after: frozenset[str] = frozenset()
    # Any failure of this source lets the next one run: it is an optional first try.
    steps_aside: bool = False
    # Never run from a scheduled (background) refresh: it starts something a person should see.
    interactive_only: bool = False
    # Its failure never replaces the reason an earlier source gave (the user is told that one).
    keeps_earlier_error: bool = False
    # The last resort: runs whatever the budget, its answer keeps the live sources' error, is never
    # stored as a live answer, and loses to a newer stored live answer.
    last_resort: bool = False
    # Only part of an automatic chain when the user turned OpenAI web cookies on.
    needs_cookies: bool = False
    # Reads Codex's login from outside the Codex process (auth.json, the keyring, the CLI): useless
    # when Codex keeps its login in memory only (docs/decisions/codex-logins.md).
    needs_codex_login: bool = True

    def load(self) -> Source:
        cls = getattr(importlib.import_module(self.module), self.class_name)
        return cls()  # type: ignore[no-any-return]


SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec("oauth", "oauth", "codexbar_core.sources.oauth", "OAuthSource", "the usage API"),
    # The CLI owns the refresh token, so it also recovers OAuth's stale token (needs_refresh), and it
    # reads its own keychain, so it recovers a keyring login codexbar could not read.
    SourceSpec("cli", "codex-cli", "codexbar_core.sources.rpc", "RpcSource", "the Codex app-server",
               recovers=FALLTHROUGH_KINDS | KEYRING_KINDS),
    SourceSpec("pty", "codex-pty", "codexbar_core.sources.pty", "PtySource", "the /status screen",
               recovers=STATUS_SCREEN_CAN_FIX,
               only_after=frozenset({"cli"}), interactive_only=True, keeps_earlier_error=True),
    # A login wall, another account's dashboard or chatgpt.com being down says nothing about the CLI.
    SourceSpec("web", "openai-web", "codexbar_core.sources.web", "WebSource", "the OpenAI web dashboard",
               steps_aside=True, needs_cookies=True, needs_codex_login=False),
    # The newest session log: whatever went wrong, the last Codex turn's numbers beat none.
    SourceSpec("logs", "logs", "codexbar_core.sources.logs", "LogsSource", "the newest session log",
               recovers=ANY_FAILURE, keeps_earlier_error=True, last_resort=True, needs_codex_login=False),
)

BY_ID = {spec.id: spec for spec in SOURCES}
BY_LABEL = {spec.label: spec for spec in SOURCES}


@dataclass(frozen=True)
class Chains:
    """The order sources are tried in for one `--source` value."""

    menu: tuple[str, ...]  # the plugin's menu (the app prefers OAuth)
    command: tuple[str, ...]  # `codexbar usage` (prefers the web dashboard when cookies are on)
    menu_extras: tuple[str, ...] = ()  # fetched beside the menu's chain, their extras attached


CHAINS = {
    "auto": Chains(menu=("oauth", "cli", "pty", "logs"), command=("web", "cli", "pty", "logs"),
                   menu_extras=("web",)),
    # A stale token is refreshed by the CLI.
    "oauth": Chains(menu=("oauth", "cli"), command=("oauth", "cli")),
    "cli": Chains(menu=("cli", "pty"), command=("cli", "pty")),
}


def spec(source_id: str) -> SourceSpec:
    try:
        return BY_ID[source_id]
    except KeyError:
        raise ValueError(f"unknown source {source_id!r}") from None


def load_source(source_id: str) -> Source:
    return spec(source_id).load()


def chain_for(requested: str, *, menu: bool, cookies_enabled: bool) -> list[str]:
    """The sources to try, in order. A source asked for by name runs alone (or with its own fallback)."""
    chains = CHAINS.get(requested)
    if chains is None:
        return [requested]
    order = chains.menu if menu else chains.command
    return [s for s in order if cookies_enabled or not BY_ID[s].needs_cookies]


def extras_for(requested: str, *, menu: bool, cookies_enabled: bool) -> list[str]:
    """Sources fetched in parallel with the chain for the extras they add (the web dashboard's)."""
    chains = CHAINS.get(requested)
    if chains is None or not menu:
        return []
    return [s for s in chains.menu_extras if cookies_enabled or not BY_ID[s].needs_cookies]


def without_codex_login(chain: list[str]) -> list[str]:
    """The sources of `chain` that can answer when Codex keeps its login in memory only."""
    return [s for s in chain if s in BY_ID and not BY_ID[s].needs_codex_login]


def may_run_after(previous: str, following: str, err: CodexbarError) -> bool:
    """Whether `following` is tried after `previous` failed with `err`."""
    after, before = BY_ID.get(following), BY_ID.get(previous)
    if after is None or before is None:
        return err.fallthrough
    if after.recovers == ANY_FAILURE:
        return True
    if before.steps_aside:
        return True
    if after.only_after and previous not in after.only_after:
        return False
    return err.kind in after.recovers


def error_to_show(earlier: CodexbarError | None, later: CodexbarError, later_source: str) -> CodexbarError:
    """The error the user should see after a fall-through; the trace keeps every one.

    A fallback that could not even start (no `codex` installed) says less than the reason we fell
    through ("run `codex login`"), and a second try's failure never hides the first try's reason.
    """
    if earlier is None:
        return later
    later_spec = BY_ID.get(later_source)
    if later_spec is not None and later_spec.keeps_earlier_error:
        return earlier
    if later.kind == ErrorKind.MISSING_BINARY and earlier.kind != ErrorKind.UNAVAILABLE_SOURCE:
        return earlier
    return later


def from_last_resort(snapshot: UsageSnapshot) -> bool:
    """Whether an answer came from the last resort (its `source` is that source's label)."""
    answered = BY_LABEL.get(snapshot.source)
    return answered is not None and answered.last_resort
