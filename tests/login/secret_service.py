"""A real Secret Service for tests: gnome-keyring-daemon, unlocked, on a private D-Bus session bus.

The bus has no service folders, so nothing is ever started by D-Bus activation: the only daemons are
the two this rig starts, and `stop()` ends them by their process ids and checks they are gone. Items
are written the way Codex's keyring crate writes them (attributes service/username), through the
same jeepney/secretstorage libraries keyring uses, over a connection to this bus only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

READY_SECONDS = 15.0  # how long the daemons may take to come up on a loaded machine

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def why_cannot_run() -> str | None:
    missing = [tool for tool in ("gnome-keyring-daemon", "dbus-daemon") if shutil.which(tool) is None]
    if missing:
        return (f"{' and '.join(missing)} not installed (Debian packages gnome-keyring, dbus; "
                ".ci/run installs them)")
    try:
        import jeepney  # noqa: F401
        import secretstorage  # noqa: F401
    except ImportError:
        return "jeepney/secretstorage (keyring's Linux backend) not installed"
    return None


def processes_with(marker: str) -> list[int]:
    """Our processes whose environment holds `marker` (the bus address): daemons and codex children."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


class SecretService:
    """Start with `SecretService(root).start(daemon=True)`; always `stop()` (the fixture does)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.bus: subprocess.Popen[bytes] | None = None
        self.keyring: subprocess.Popen[bytes] | None = None
        self.address = ""

    def env(self) -> dict[str, str]:
        """What a process needs to reach this keyring (and only it)."""
        return {"DBUS_SESSION_BUS_ADDRESS": self.address, "XDG_RUNTIME_DIR": str(self.root / "run"),
                "XDG_DATA_HOME": str(self.root / "data")}

    def start(self, daemon: bool = True) -> SecretService:
        for sub in ("bus", "run", "data", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        config = self.root / "bus.conf"
        config.write_text(BUS_CONFIG.format(dir=self.root / "bus"))
        self.bus = subprocess.Popen(["dbus-daemon", "--config-file", str(config), "--nofork", "--print-address=1"],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        assert self.bus.stdout is not None
        self.address = self.bus.stdout.readline().decode().strip()
        assert self.address.startswith("unix:"), "dbus-daemon did not print its address"
        if daemon:
            self._start_keyring()
        return self

    def _start_keyring(self) -> None:
        env = dict(os.environ, HOME=str(self.root / "home"), **self.env())
        self.keyring = subprocess.Popen(["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                                        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        env=env)
        assert self.keyring.stdin is not None
        self.keyring.stdin.write(b"test-keyring-password")
        self.keyring.stdin.close()
        deadline = time.monotonic() + READY_SECONDS
        while True:  # until the login keyring answers as the default collection
            try:
                with self.connection() as conn:
                    import secretstorage

                    collection = secretstorage.get_default_collection(conn)
                    if not collection.is_locked():
                        return
            except Exception:
                pass
            if self.keyring.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gnome-keyring-daemon did not come up")
            time.sleep(0.05)

    def connection(self) -> Any:
        from jeepney.io.blocking import open_dbus_connection

        return open_dbus_connection(bus=self.address)

    # -- the items -----------------------------------------------------------------------------
    def put(self, account: str, value: str, service: str = "Codex Auth", **attributes: str) -> None:
        import secretstorage

        with self.connection() as conn:
            collection = secretstorage.get_default_collection(conn)
            collection.create_item(f"{account}@{service}", dict(attributes, service=service, username=account),
                                   value.encode(), replace=True)

    def get(self, account: str, service: str = "Codex Auth") -> str | None:
        import secretstorage

        with self.connection() as conn:
            collection = secretstorage.get_default_collection(conn)
            for item in collection.search_items({"service": service, "username": account}):
                return item.get_secret().decode()
        return None

    def accounts(self, service: str = "Codex Auth") -> list[str]:
        import secretstorage

        with self.connection() as conn:
            collection = secretstorage.get_default_collection(conn)
            return sorted(item.get_attributes().get("username", "") for item in
                          collection.search_items({"service": service}))

    def lock(self) -> None:
        import secretstorage

        with self.connection() as conn:
            collection = secretstorage.get_default_collection(conn)
            collection.lock()
            assert collection.is_locked()

    # -- teardown --------------------------------------------------------------------------------
    def stop(self) -> None:
        for proc in (self.keyring, self.bus):
            if proc is None or proc.poll() is not None:
                continue
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if self.bus is not None and self.bus.stdout is not None:
            self.bus.stdout.close()
