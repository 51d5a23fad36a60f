"""`codexbar install-plugin [--swiftbar | --xbar | --argos] [DIR] [--copy]`, and the install record.

The plugin file ships inside the package (codexbar_core/plugin/, a link to plugins/ in a checkout)
so a pipx or pip install can put it into a host's plugin folder. Linking is the default (updates
of a checkout reach the host at once); `--copy` makes an independent file. Either way the command
records where codexbar is installed (`install-location` in the settings folder's platform default),
which is how a copied plugin finds it. Decisions: docs/decisions/install-and-statusline.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PLUGIN_NAME = "codexbar.5m.py"
PACKAGE = Path(__file__).resolve().parent.parent  # codexbar_core (this module is in its commands/)
RECORD_NAME = "install-location"
HOSTS = ("swiftbar", "xbar", "argos")

USAGE = """usage: codexbar install-plugin [--swiftbar | --xbar | --argos] [DIR] [--copy]

Puts the codexbar plugin into a menu-bar host's plugin folder (a link; --copy for an independent
copy) and records where codexbar is installed, so a copied plugin finds it.
  --swiftbar  SwiftBar's plugin folder (defaults read com.ameba.SwiftBar PluginDirectory)
  --xbar      ~/Library/Application Support/xbar/plugins
  --argos     ~/.config/argos (GNOME Shell)
  DIR         this folder instead of the host's
Without a host: SwiftBar when it has a plugin folder, else xbar on macOS; Argos elsewhere.
"""


class InstallError(Exception):
    """Something the user must fix; the message says what."""


def plugin_source() -> Path:
    """The plugin file shipped with this codexbar (a checkout's plugins/ file when run from one)."""
    checkout = checkout_root()
    if checkout is not None:
        return checkout / "plugins" / PLUGIN_NAME
    return PACKAGE / "plugin" / PLUGIN_NAME


def checkout_root() -> Path | None:
    """The git checkout this codexbar runs from (lib/codexbar_core inside it), None when installed."""
    root = PACKAGE.parent.parent
    if (root / "plugins" / PLUGIN_NAME).is_file() and (root / "lib" / "codexbar_core").is_dir():
        return root
    return None


def record_dir(env: dict[str, str]) -> Path:
    """The platform's settings folder for codexbar (paths.config_dir without the per-run overrides:
    SwiftBar gives each plugin run its own data folder, which an installer cannot know)."""
    from codexbar_core.statusline.folders import platform_dir

    return Path(platform_dir("config", env))


def write_record(env: dict[str, str], python: str, checkout: Path | None) -> Path:
    """`install-location`: shell-readable `key=value` lines the plugin's shell part reads."""
    from codexbar_core.warm_paths import write_owner_only

    folder = record_dir(env)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    lines = ["# where codexbar is installed; written by install.sh and `codexbar install-plugin`",
             f"python={python}"]
    if checkout is not None:
        lines.append(f"checkout={checkout}")
    path = folder / RECORD_NAME
    write_owner_only(str(path), ("\n".join(lines) + "\n").encode("utf-8"))
    if not path.is_file():
        raise InstallError(f"could not write {path}")
    return path


def swiftbar_folder(env: dict[str, str]) -> Path | None:
    try:
        out = subprocess.run(["defaults", "read", "com.ameba.SwiftBar", "PluginDirectory"], capture_output=True,
                             text=True, timeout=10, env=env)
    except (OSError, subprocess.SubprocessError):
        return None
    value = out.stdout.strip()
    if out.returncode != 0 or not value:
        return None
    home = env.get("HOME") or str(Path.home())
    return Path(home + value[1:] if value.startswith("~") else value)


def host_folder(host: str, env: dict[str, str]) -> Path:
    home = Path(env.get("HOME") or Path.home())
    if host == "swiftbar":
        found = swiftbar_folder(env)
        if found is None:
            raise InstallError("SwiftBar has no plugin folder yet: open SwiftBar, choose one, then run this again "
                               "(or name the folder: codexbar install-plugin --swiftbar DIR)")
        return found
    if host == "xbar":
        return home / "Library" / "Application Support" / "xbar" / "plugins"
    xdg = (env.get("XDG_CONFIG_HOME") or "").strip()
    return (Path(xdg) if xdg else home / ".config") / "argos"


def default_host(env: dict[str, str], platform: str = sys.platform) -> str:
    if platform != "darwin":
        return "argos"
    return "swiftbar" if swiftbar_folder(env) is not None else "xbar"


def place(source: Path, folder: Path, copy: bool) -> Path:
    """Link (or copy) `source` into `folder` as PLUGIN_NAME, replacing an earlier one atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / PLUGIN_NAME
    tmp = folder / f".{PLUGIN_NAME}.{os.getpid()}.tmp"  # hosts skip dot files
    try:
        if copy:
            shutil.copyfile(source, tmp)
            os.chmod(tmp, 0o755)
        else:
            os.symlink(source, tmp)
        os.replace(tmp, target)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
    return target


class Request:
    """What `codexbar install-plugin` was asked to do."""

    __slots__ = ("host", "folder", "copy", "record_only")

    def __init__(self) -> None:
        self.host: str | None = None
        self.folder: Path | None = None
        self.copy = False
        self.record_only = False  # install.sh: record where codexbar is, place nothing


def parse(argv: list[str]) -> Request:
    req = Request()
    for arg in argv:
        if arg.startswith("--") and arg[2:] in HOSTS:
            if req.host is not None:
                raise InstallError("name one host: --swiftbar, --xbar or --argos")
            req.host = arg[2:]
        elif arg == "--copy":
            req.copy = True
        elif arg == "--record-only":
            req.record_only = True
        elif arg.startswith("-"):
            raise InstallError(f"unknown option {arg}")
        elif req.folder is None:
            req.folder = Path(os.path.expanduser(arg)).absolute()
        else:
            raise InstallError("one folder at most")
    return req


def run(argv: list[str], env: dict[str, str] | None = None) -> int:
    env = dict(os.environ) if env is None else env
    if any(a in ("-h", "--help") for a in argv):
        sys.stdout.write(USAGE)
        return 0
    try:
        req = parse(argv)
        record = write_record(env, sys.executable, checkout_root())
        if req.record_only:
            print(f"Recorded this codexbar in {record}")
            return 0
        source = plugin_source()
        if not source.is_file():
            raise InstallError(f"the plugin file is missing from this codexbar ({source}); reinstall codexbar")
        folder = req.folder or host_folder(req.host or default_host(env), env)
        target = place(source, folder, req.copy)
    except InstallError as exc:
        print(f"codexbar install-plugin: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"codexbar install-plugin: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"{'Copied' if req.copy else 'Linked'} {target}" + ("" if req.copy else f" -> {source}"))
    print(f"Recorded this codexbar in {record}")
    return 0
