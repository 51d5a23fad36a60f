"""The `cli` source: `codex -s read-only -a never app-server`, JSON-RPC over stdio (docs/reference/usage-sources.md, "The app-server (cli source)").

Newline-delimited JSON both ways; replies are matched by id (they may come out of order, between
notifications). Every wait is bounded (8 s for initialize, 3 s per call, always inside the
context's deadline) because the CLI has no timeout of its own on a slow backend. The child runs in
its own process group and is always stopped and reaped (procs.stop), whatever happens.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import subprocess
import time
from pathlib import Path
from typing import Any

from codexbar_core import errors, paths, procs
from codexbar_core.model import UsageSnapshot
from codexbar_core.sources import rate_limits
from codexbar_core.sources.base import Availability, FetchContext

INIT_TIMEOUT = 8.0
CALL_TIMEOUT = 3.0
SAFE_FLAGS = ["-s", "read-only", "-a", "never"]
CLIENT_VERSION = "0.1.0"

MISSING_BINARY = "Codex CLI missing. Install it with `npm i -g @openai/codex` (or set CODEX_CLI_PATH), then Refresh."


def codex_env(ctx: FetchContext, binary: Path) -> dict[str, str]:
    """The child's environment: ours, CODEX_HOME pinned, PATH enriched so the npm wrapper finds `node`."""
    env = dict(ctx.env)
    env["CODEX_HOME"] = str(ctx.codex_home)
    path = paths.enriched_path(env)
    if str(binary.parent) not in path.split(os.pathsep):
        path = os.pathsep.join([path, str(binary.parent)])
    env["PATH"] = path
    return env


def resolve_binary(ctx: FetchContext) -> Path:
    binary = paths.find_codex_binary(ctx.env)
    if binary is None:
        raise errors.MissingBinary(MISSING_BINARY)
    return binary


class _Rejected(Exception):
    """The CLI refused our flags (exited at once with a usage error)."""


# The largest app-server line we read (real replies are a few KiB): a misbehaving child cannot
# make the plugin buffer without end.
MAX_LINE_BYTES = 4 * 1024 * 1024


class AppServer:
    """One running `codex app-server` child and its stdout line buffer."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str | None) -> None:
        try:
            self.proc = procs.spawn(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=env, cwd=cwd)
        except OSError as exc:
            raise errors.Unavailable(f"Could not start the Codex CLI ({exc.strerror or type(exc).__name__}).") from None
        self._buf = b""
        self._skipping = False  # inside an over-long line
        self.stderr_tail = b""
        self._eof = False
        self._sel = selectors.DefaultSelector()
        assert self.proc.stdout is not None and self.proc.stderr is not None
        for stream in (self.proc.stdout, self.proc.stderr):
            os.set_blocking(stream.fileno(), False)
            self._sel.register(stream, selectors.EVENT_READ)
        self._next_id = 0
        self.replies: dict[int, dict[str, Any]] = {}

    def close(self, grace: float = 0.5) -> None:
        try:
            self._sel.close()
        finally:
            procs.stop(self.proc.pid, grace=grace)
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                try:
                    if stream is not None:
                        stream.close()
                except OSError:
                    pass

    def send(self, method: str, params: Any = None, *, notify: bool = False) -> int:
        message: dict[str, Any] = {"method": method}
        if params is not None:
            message["params"] = params
        request_id = 0
        if not notify:
            self._next_id += 1
            request_id = message["id"] = self._next_id
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(message).encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the reader notices the exit and reports it
        return request_id

    def _pump(self, timeout: float) -> None:
        """Read what is available (up to `timeout`), filing replies by id and dropping notifications."""
        for key, _ in self._sel.select(max(0.0, timeout)):
            try:
                chunk = os.read(key.fd, 65536)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if key.fileobj is self.proc.stderr:
                if chunk:
                    self.stderr_tail = (self.stderr_tail + chunk)[-4096:]
                else:
                    self._sel.unregister(key.fileobj)
                continue
            if not chunk:
                self._eof = True
                self._sel.unregister(key.fileobj)
                continue
            self._take(chunk)

    def _take(self, chunk: bytes) -> None:
        """Split stdout into lines; a line beyond MAX_LINE_BYTES is dropped, not buffered without end."""
        while chunk:
            newline = chunk.find(b"\n")
            if newline == -1:
                if self._skipping:
                    return
                self._buf += chunk
                if len(self._buf) > MAX_LINE_BYTES:
                    self._buf, self._skipping = b"", True  # no reply is this big: skip to the next line
                return
            line, chunk = chunk[:newline], chunk[newline + 1:]
            if self._skipping:
                self._skipping = False
            else:
                self._file(self._buf + line)
            self._buf = b""

    def _file(self, line: bytes) -> None:
        try:
            message = json.loads(line)
        except ValueError:
            return  # not JSON: skipped
        if not isinstance(message, dict):
            return
        if "id" in message and ("result" in message or "error" in message):
            if isinstance(message["id"], int):
                self.replies[message["id"]] = message
        # everything else (notifications with `method`, e.g. configWarning) is skipped

    def wait(self, request_ids: list[int], deadline: float, method: str) -> None:
        """Until every id has a reply, or raise SourceTimeout / InvalidResponse."""
        while not all(i in self.replies for i in request_ids):
            left = deadline - time.monotonic()
            if left <= 0:
                raise errors.SourceTimeout(f"Codex RPC timed out waiting for `{method}` reply.")
            if self._eof:
                if not self.replies:
                    try:
                        self.proc.wait(timeout=min(0.5, max(0.01, left)))
                    except subprocess.TimeoutExpired:
                        pass
                    self._pump(0.05)  # the exit's usage message may still sit in the stderr pipe
                    if self.proc.returncode == 2 and b"error:" in self.stderr_tail:
                        raise _Rejected()
                raise errors.InvalidResponse("Codex returned invalid data: codex app-server closed stdout.")
            self._pump(min(left, 0.25))


def _version_from_user_agent(user_agent: Any) -> str | None:
    """`codexbar/0.169.0 (Debian ...)` -> "0.169.0" (saves a `codex --version` spawn)."""
    match = re.match(r"^[^/\s]+/(\d+(?:\.\d+)+\S*)", str(user_agent or ""))
    return match.group(1) if match else None


def _error_message(reply: dict[str, Any]) -> str | None:
    error = reply.get("error")
    if error is None:
        return None
    if isinstance(error, dict):
        return str(error.get("message") or error.get("code") or "unknown error")
    return str(error)


def _email_from_auth_file(codex_home: Path) -> str | None:
    try:
        from codexbar_core.sources import auth

        return auth.read_auth(codex_home).email()
    except Exception:
        return None


class RpcSource:
    id = "cli"
    label = rate_limits.LABEL

    def availability(self, ctx: FetchContext) -> Availability:
        # A missing binary is reported by fetch as MissingBinary (kind missing_binary, with the install hint).
        binary = paths.find_codex_binary(ctx.env)
        return Availability(True, f"codex app-server ({binary})" if binary else "codex app-server")

    def fetch(self, ctx: FetchContext) -> UsageSnapshot:
        binary = resolve_binary(ctx)
        env = codex_env(ctx, binary)
        try:
            return self._session(ctx, [str(binary), *SAFE_FLAGS, "app-server"], env)
        except _Rejected:
            # another CLI version may not know these flags: once more without them (docs/reference/usage-sources.md, "The app-server (cli source)")
            try:
                return self._session(ctx, [str(binary), "app-server"], env)
            except _Rejected:
                raise errors.InvalidResponse("Codex CLI refused to start `codex app-server`.") from None

    def _session(self, ctx: FetchContext, argv: list[str], env: dict[str, str]) -> UsageSnapshot:
        cwd = str(ctx.codex_home) if ctx.codex_home.is_dir() else None
        server = AppServer(argv, env, cwd)
        try:
            init_id = server.send("initialize", {"clientInfo": {"name": "codexbar", "title": "codexbar",
                                                                "version": CLIENT_VERSION},
                                                 "capabilities": None})
            server.wait([init_id], time.monotonic() + ctx.timeout(INIT_TIMEOUT), "initialize")
            init = server.replies[init_id]
            if _error_message(init) is not None:
                raise rate_limits.classify_error(_error_message(init) or "", ctx.codex_home)
            version = _version_from_user_agent((init.get("result") or {}).get("userAgent"))
            server.send("initialized", {}, notify=True)
            # Both calls go out together; replies are matched by id in whatever order they come.
            limits_id = server.send("account/rateLimits/read", {})
            account_id = server.send("account/read", {})
            limits_deadline = time.monotonic() + ctx.timeout(CALL_TIMEOUT)
            server.wait([limits_id], limits_deadline, "account/rateLimits/read")
            try:
                # account/read usually answered first; give it what is left of its own 3 s, never more
                server.wait([account_id], min(limits_deadline, time.monotonic() + ctx.remaining() - 0.05),
                            "account/read")
            except errors.CodexbarError:
                pass  # identity is optional
            return self._map(ctx, server.replies[limits_id], server.replies.get(account_id), version)
        finally:
            # a busy app-server may sit out SIGTERM: never let the clean-up eat the plugin's budget
            server.close(grace=min(0.5, max(0.05, ctx.remaining() - 0.1)))

    def _map(self, ctx: FetchContext, limits: dict[str, Any], account: dict[str, Any] | None,
             version: str | None) -> UsageSnapshot:
        account_result = account.get("result") if account and "result" in account else None
        message = _error_message(limits)
        if message is None:
            snapshot = rate_limits.snapshot_from_rpc(limits.get("result"), account_result, cli_version=version)
            if snapshot.identity.email is None and (ctx.login is None or ctx.login.file_in_use):
                # account/read failed, or a custom provider hides the account: the login's id_token knows
                snapshot.identity.email = _email_from_auth_file(ctx.codex_home)
            return snapshot
        # the usage the CLI could not decode, else at least its credits (docs/decisions/reference-and-hosts.md)
        recovered = rate_limits.recover_from_error(message) or rate_limits.recover_credits_from_error(message)
        if recovered is not None:
            recovered.cli_version = version
            if account_result:
                found = rate_limits.identity_from_account(account_result, None)
                recovered.identity.email = found.email or recovered.identity.email
                recovered.identity.workspace = found.workspace
            return recovered
        acct = (account_result or {}).get("account") if isinstance(account_result, dict) else None
        if isinstance(acct, dict) and str(acct.get("type") or "").lower() == "apikey":
            raise errors.NotConfigured(rate_limits.API_KEY_LOGIN)
        raise rate_limits.classify_error(message, ctx.codex_home)
