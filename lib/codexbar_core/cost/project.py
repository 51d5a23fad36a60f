"""Which project a session belongs to, and when it was active (docs/decisions/cost-breakdowns.md).

A session's own `session_meta` line (its first line) names the working folder (`cwd`) and, inside
a git checkout, the repository (`git.repository_url`). Codex's thread index (`state_5.sqlite`,
table `threads`) keeps the same two facts per thread and fills in what a log lacks. A session
with neither goes to "(no project)".

The facts of one file (its folder, repository, start time, last token count) are read from its
first line and its last few KiB only, never from the whole log.
"""

from __future__ import annotations

import os
import re

from codexbar_core.cost.line_rules import timestamp_ms

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

NO_PROJECT = "(no project)"
HEAD_LIMIT = 256 * 1024  # Codex writes session_meta first; a longer line is cut (its prefix is searched)
HEAD_CHUNK = 16 * 1024  # holds most first lines; a log this small is read in one go
TAIL_CHUNK = 4 * 1024
TAIL_LIMIT = 1024 * 1024  # how far back from the end a last token count is looked for
INDEX_TIMEOUT_S = 0.25  # Codex may hold a write lock on its index: never wait for it
_TS = re.compile(rb'"timestamp"\s*:\s*"([^"]{10,40})"')
_CWD = re.compile(rb'"cwd"\s*:\s*"([^"\\]*(?:\\.[^"\\]*)*)"')
_TOKEN_COUNT = re.compile(rb'"type"\s*:\s*"token_count"')
_REPO = re.compile(rb'"repository_url"\s*:\s*"([^"\\]*(?:\\.[^"\\]*)*)"')


class FileFacts:
    """What one log says about its session's place and time (cached by the file's signature)."""

    __slots__ = ("cwd", "repo_url", "start_ms", "last_ms")

    def __init__(self, cwd: str | None, repo_url: str | None, start_ms: int | None, last_ms: int | None) -> None:
        self.cwd = cwd
        self.repo_url = repo_url
        self.start_ms = start_ms
        self.last_ms = last_ms

    def to_list(self) -> list[Any]:
        return [self.cwd, self.repo_url, self.start_ms, self.last_ms]

    @classmethod
    def from_list(cls, raw: list[Any]) -> FileFacts:
        return cls(raw[0], raw[1], raw[2], raw[3])


class Project:
    """A display name, the folder shown for it, and the key sessions are grouped by."""

    __slots__ = ("name", "path", "key")

    def __init__(self, name: str, path: str, key: str) -> None:
        self.name = name
        self.path = path
        self.key = key


def _unescape(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    if "\\" in text:
        import json

        try:
            text = json.loads(f'"{text}"')
        except ValueError:
            pass
    return text


def _first_line(fd: int, first: bytes) -> bytes:
    """The file's first line, from `first` (its first bytes) and more reads while it goes on."""
    cut = first.find(b"\n")
    if cut != -1:
        return first[:cut]
    out = first
    while len(out) < HEAD_LIMIT:
        chunk = os.pread(fd, HEAD_CHUNK, len(out))
        if not chunk:
            break
        cut = chunk.find(b"\n")
        if cut != -1:
            return out + chunk[:cut]
        out += chunk
    return out[:HEAD_LIMIT]


def _head_facts(line: bytes) -> tuple[str | None, str | None, int | None]:
    """(cwd, repository url, start) from a session_meta line. Searched, not decoded: the line carries
    the instructions (tens of KiB) and may be cut; the fields asked for are short and unambiguous."""
    if b'"session_meta"' not in line:
        return None, None, None
    payload = line.find(b'"payload"')
    body = line[payload:] if payload != -1 else line
    cwd = _CWD.search(body)
    repo = _REPO.search(body)
    ts = _TS.search(body) or _TS.search(line)
    return (_unescape(cwd.group(1)) if cwd and cwd.group(1) else None,
            _unescape(repo.group(1)) if repo and repo.group(1) else None,
            timestamp_ms(ts.group(1).decode("ascii", "replace")) if ts else None)


def _last_token_ms(fd: int, size: int, whole: bytes | None) -> int | None:
    """The timestamp of the file's last token_count event (its last counted activity), searched
    backwards from the end: in the last 4 KiB, then 256 KiB, then 1 MiB (`whole`: the file, when
    it was read in one go)."""
    for span in (TAIL_CHUNK, 64 * TAIL_CHUNK, TAIL_LIMIT):
        start = max(0, size - span)
        block = whole[start:] if whole is not None else os.pread(fd, size - start, start)
        pos = len(block)
        while True:
            pos = block.rfind(b'"token_count"', 0, pos)
            if pos == -1:
                break
            line_start = block.rfind(b"\n", 0, pos) + 1
            if not line_start and start:
                break  # the line begins before this block: look further back
            if _TOKEN_COUNT.search(block, line_start, pos + 13):
                stamp = _TS.search(block, line_start, pos)
                if stamp:
                    return timestamp_ms(stamp.group(1).decode("ascii", "replace"))
            pos = line_start
        if not start:
            break
    return None


def read_facts(path: str, size: int) -> FileFacts:
    """Unbuffered reads at offsets: a small log is read in one go, a large one at its two ends."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return FileFacts(None, None, None, None)
    try:
        first = os.pread(fd, HEAD_CHUNK, 0)
        whole = first if size <= HEAD_CHUNK and len(first) == size else None
        cwd, repo, start = _head_facts(_first_line(fd, first))
        last = _last_token_ms(fd, size, whole)
    except OSError:
        return FileFacts(None, None, None, None)
    finally:
        os.close(fd)
    return FileFacts(cwd, repo, start, last)


def thread_index(codex_home: str) -> dict[str, tuple[str | None, str | None, str | None]]:
    """thread id -> (cwd, git origin url, title) from Codex's thread index; {} when it is missing,
    locked, or not the shape we know. Opened read-only: Codex owns it."""
    path = os.path.join(codex_home, "state_5.sqlite")
    if not os.path.isfile(path):
        return {}
    import sqlite3

    from codexbar_core.codex_sqlite import connect_readonly

    try:  # creates nothing in Codex's home (codex_sqlite.py)
        conn = connect_readonly(path, INDEX_TIMEOUT_S)
    except sqlite3.Error:
        return {}
    try:
        cols = {row[1] for row in conn.execute("PRAGMA table_info(threads)")}
        if "id" not in cols or "cwd" not in cols:
            return {}
        git = "git_origin_url" if "git_origin_url" in cols else "NULL"
        title = "title" if "title" in cols else "NULL"
        out = {}
        for tid, cwd, url, name in conn.execute(f"SELECT id, cwd, {git}, {title} FROM threads"):
            if isinstance(tid, str):
                out[tid] = (cwd if isinstance(cwd, str) and cwd else None,
                            url if isinstance(url, str) and url else None,
                            name if isinstance(name, str) and name else None)
        return out
    except sqlite3.Error:
        return {}
    finally:
        conn.close()


def repo_name(url: str) -> str | None:
    """`git@github.com:me/tool.git`, `https://host/me/tool/` -> `tool`."""
    tail = url.strip().rstrip("/")
    if tail.endswith(".git"):
        tail = tail[:-4]
    name = re.split(r"[/:\\]", tail)[-1] if tail else ""
    return name or None


def repo_key(url: str) -> str:
    """One key for the forms one remote is written in (scheme, user, `.git`, case of the host)."""
    tail = url.strip().rstrip("/")
    if tail.endswith(".git"):
        tail = tail[:-4]
    tail = re.sub(r"^[a-z+]+://", "", tail)
    tail = re.sub(r"^[^@/]+@", "", tail)
    host, sep, rest = tail.replace(":", "/", 1).partition("/")
    return "git:" + host.lower() + sep + rest


def project_of(cwd: str | None, repo_url: str | None) -> Project:
    if repo_url:
        name = repo_name(repo_url)
        if name:
            return Project(name, cwd or repo_url, repo_key(repo_url))
    if cwd:
        folder = cwd.rstrip("/\\") or cwd
        name = re.split(r"[/\\]", folder)[-1] or folder
        return Project(name, cwd, "dir:" + folder)
    return Project(NO_PROJECT, "", "")
