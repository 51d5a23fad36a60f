"""The status line as tmux shows it: a real tmux server whose status-right runs `codexbar statusline`.

tmux keeps the output of `#()` jobs per client, and runs them in the background: a one-shot
`tmux display-message -p` is a new client each time and never sees it. So the test reads
status-right through one control-mode client (`tmux -C`), as an attached terminal would see it.
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.statusline.conftest import CODEXBAR


class ControlClient:
    """`tmux -C attach` on a private socket: commands in, `%begin … %end` blocks out."""

    def __init__(self, socket: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(["tmux", "-S", str(socket), "-C", "attach"], env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put("%exit")

    def command(self, text: str, timeout: float = 30.0) -> list[str]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        block: list[str] | None = None
        while True:
            line = self.lines.get(timeout=timeout)
            if line.startswith("%exit"):
                raise AssertionError("the tmux control client went away")
            if line.startswith("%begin"):
                block = []
            elif line.startswith(("%end", "%error")) and block is not None:
                return block
            elif block is not None:
                block.append(line)

    def shown(self, fmt: str, until: str, wait: float = 30.0) -> str:
        """`display-message -p fmt` once it reads `until` (#() output arrives in a later expansion):
        bounded polling on the condition, not a timing assumption."""
        deadline = time.monotonic() + wait
        text = "\n".join(self.command(f"display-message -p '{fmt}'"))
        while text != until and time.monotonic() < deadline:
            time.sleep(0.05)
            text = "\n".join(self.command(f"display-message -p '{fmt}'"))
        return text

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


class Server:
    """A tmux server on a private socket in the test's folder, with one control-mode client."""

    def __init__(self, socket: Path, env: dict[str, str]) -> None:
        self.socket, self.env = socket, env
        self("-f", "/dev/null", "new-session", "-d", "-x", "200", "-y", "40")
        self.client = ControlClient(socket, env)

    def __call__(self, *args: str) -> str:
        proc = subprocess.run(["tmux", "-S", str(self.socket), *args], env=self.env, capture_output=True,
                              text=True, timeout=30)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def kill(self) -> None:
        subprocess.run(["tmux", "-S", str(self.socket), "kill-server"], env=self.env, capture_output=True,
                       timeout=30)
        self.client.close()


@pytest.fixture
def tmux(scratch, seeded):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed (Debian package tmux; .ci/run installs it)")
    server = Server(scratch / "tmux.sock", dict(seeded.env, TERM="xterm-256color"))
    try:
        yield server
    finally:
        server.kill()


def test_status_right_shows_the_coloured_line(tmux):
    tmux("set-option", "-g", "status-right", f"#({CODEXBAR} statusline --host tmux)")
    expected = "#[fg=green]Codex 72% · 41%#[default]"
    assert tmux.client.shown("#{T:status-right}", until=expected) == expected


def test_a_custom_format_with_the_state_colour(tmux):
    tmux("set-option", "-g", "status-right",
         f"#({CODEXBAR} statusline --host tmux --format \"#[fg={{color}}]{{left}} left · {{credits}} cr\")")
    expected = "#[fg=green]41% left · 112.4 cr"
    assert tmux.client.shown("#{T:status-right}", until=expected) == expected
