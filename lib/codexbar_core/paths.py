"""Where things live (docs/reference/usage-sources.md, "Where things live"): Codex homes, our cache and settings folders, the `codex` binary."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

APP_NAME = "codexbar"


def default_codex_home(env: os._Environ[str] | dict[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    value = (env.get("CODEX_HOME") or "").strip()
    if value:
        return Path(os.path.expanduser(value))
    return Path.home() / ".codex"


def _ensure_private_dir(path: Path) -> Path:
    """Create `path` owner-only (0700); tighten an existing one we own."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        if (path.stat().st_mode & 0o077) != 0:
            path.chmod(0o700)
    except OSError:
        pass
    return path


# Our folders that could not be used in this process: kind -> (the folder, why, what is used instead).
unusable: dict[str, tuple[str, str, str]] = {}


def _usable_dir(path: Path, kind: str) -> Path:
    """`path`, owner-only. When it cannot be made (a file in the way, no permission), a private folder
    in the system's temp folder instead, so the menu still works and keeps its state; `folder_notes`
    then says so. Raises OSError only when that cannot be made either."""
    try:
        return _ensure_private_dir(path)
    except OSError as exc:
        import tempfile

        base = Path(tempfile.gettempdir()) / f"{APP_NAME}-{os.getuid()}"
        try:
            base.mkdir(mode=0o700)
        except FileExistsError:
            pass
        st = os.lstat(base)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
            raise  # someone else's folder (or a symlink) in a shared temp folder: not ours to use
        fallback = _ensure_private_dir(_ensure_private_dir(base) / kind)
        unusable[kind] = (str(path), exc.strerror or type(exc).__name__, str(fallback))
        return fallback


def folder_notes() -> list[str]:
    """What the menu and the command line say about folders they could not use."""
    names = {"cache": "Cache folder", "config": "Settings folder"}
    return [f"{names[kind]} unusable ({path}: {why}); using {fallback} until it is fixed."
            for kind, (path, why, fallback) in sorted(unusable.items())]


def cache_dir(env: dict[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    for key in ("CODEXBAR_CACHE_DIR", "SWIFTBAR_PLUGIN_CACHE_PATH"):
        if (env.get(key) or "").strip():
            return _usable_dir(Path(os.path.expanduser(env[key].strip())), "cache")
    import platformdirs

    return _usable_dir(Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)), "cache")


def config_dir(env: dict[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    for key in ("CODEXBAR_CONFIG_DIR", "SWIFTBAR_PLUGIN_DATA_PATH"):
        if (env.get(key) or "").strip():
            return _usable_dir(Path(os.path.expanduser(env[key].strip())), "config")
    import platformdirs

    return _usable_dir(Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)), "config")


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.name)[:3])


def _home(env: dict[str, str] | os._Environ[str]) -> Path:
    """The user's home as the given environment says (tests and the plugin may pass their own)."""
    value = (env.get("HOME") or "").strip()
    return Path(value) if value else Path.home()


def _extra_bin_dirs(home: Path) -> list[Path]:
    """Install places SwiftBar's minimal login-shell PATH usually misses."""
    dirs = [
        Path("/opt/homebrew/bin"),
        Path("/usr/local/bin"),
        home / ".local/bin",
        home / ".npm-global/bin",
        home / ".bun/bin",
        home / ".volta/bin",
        home / "Library/pnpm",
        home / ".local/share/pnpm",
        home / ".yarn/bin",
    ]
    nvm_current = home / ".nvm/current/bin"
    dirs.append(nvm_current)
    versions = home / ".nvm/versions/node"
    if versions.is_dir():
        try:
            # newest installed node first (by number: v9 is older than v20)
            dirs.extend(p / "bin" for p in sorted(versions.iterdir(), key=_version_key, reverse=True))
        except OSError:
            pass
    dirs += [home / ".local/share/mise/shims", home / ".asdf/shims"]
    dirs.append(Path("/Applications/Codex.app/Contents/Resources"))
    dirs.append(home / "Applications/Codex.app/Contents/Resources")
    return dirs


def enriched_path(env: dict[str, str] | None = None) -> str:
    """PATH plus the usual install folders, for spawning `codex` (a node script needs `node` on PATH)."""
    env = os.environ if env is None else env
    parts = [p for p in (env.get("PATH") or "").split(os.pathsep) if p]
    for extra in _extra_bin_dirs(_home(env)):
        if str(extra) not in parts and extra.is_dir():
            parts.append(str(extra))
    for std in ("/usr/bin", "/bin", "/usr/sbin", "/sbin"):
        if std not in parts:
            parts.append(std)
    return os.pathsep.join(parts)


def find_codex_binary(env: dict[str, str] | None = None) -> Path | None:
    """`$CODEX_CLI_PATH`, else PATH, else the usual install places (docs/reference/usage-sources.md, "Where things live")."""
    env = os.environ if env is None else env
    explicit = (env.get("CODEX_CLI_PATH") or "").strip()
    if explicit:
        p = Path(os.path.expanduser(explicit))
        return p if p.is_file() and os.access(p, os.X_OK) else None
    import shutil  # here, not at the top: `codexbar cost` never looks for the CLI

    found = shutil.which("codex", path=env.get("PATH") or None)
    if found:
        return Path(found)
    for d in _extra_bin_dirs(_home(env)):
        candidate = d / "codex"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def codex_version(binary: Path, timeout: float = 3.0, env: dict[str, str] | None = None) -> str | None:
    """`codex --version` -> "0.169.0" (None when it cannot tell). The npm wrapper needs `node` on PATH,
    which often sits next to `codex` (nvm, Homebrew)."""
    base = dict(os.environ if env is None else env)
    env = dict(base, PATH=os.pathsep.join([enriched_path(base), str(binary.parent)]))
    import subprocess

    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=timeout,
                             env=env, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    text = (out.stdout or "").strip().split()
    return text[-1] if text else None


def read_config_value(codex_home: Path, key: str) -> str | None:
    """Top-level `key = "value"` from `$CODEX_HOME/config.toml` (simple line scan, like the original app).

    A full TOML parser is not needed for one string and keeps start-up cheap on Python 3.9
    (no tomllib there).
    """
    try:
        text = (codex_home / "config.toml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("["):
            break  # only the top-level table
        if "=" not in line:
            continue
        name, value = line.split("=", 1)
        if name.strip() == key:
            return value.strip().strip('"').strip("'").strip() or None
    return None
