"""Menu lines that both SwiftBar and xbar (and Argos) accept (docs/reference/menu-rules.md, "Host markup").

Everything host-specific is decided here, once: SwiftBar-only keys and light/dark colour pairs only
under SwiftBar, `param1..N` only, `terminal=false` on every action, no `|` in titles, hex colours.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field

# Keys only SwiftBar understands; xbar rejects the whole output when it sees one.
SWIFTBAR_ONLY = frozenset({"sfimage", "sfcolor", "sfsize", "sfconfig", "sfvalue", "symbolize", "md", "checked",
                           "tooltip", "badge", "shortcut", "webview", "webvieww", "webviewh", "fold", "stdin",
                           "valign"})
# Keys xbar understands (item_params.go); anything else is dropped for xbar.
XBAR_KEYS = frozenset({"href", "bash", "shell", "terminal", "refresh", "color", "font", "size", "length", "trim",
                       "dropdown", "alternate", "image", "templateImage", "emojize", "ansi", "key", "disabled"})
# Argos (GNOME) attributes, from its README: no param1..N, no templateImage, but imageWidth/imageHeight.
ARGOS_KEYS = frozenset({"href", "bash", "terminal", "refresh", "color", "font", "size", "length", "trim",
                        "dropdown", "alternate", "image", "imageWidth", "imageHeight", "emojize", "ansi", "iconName",
                        "useMarkup", "unescape"})


def detect_host(env: dict[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    if env.get("SWIFTBAR") == "1":
        return "swiftbar"
    if env.get("ARGOS_VERSION"):
        return "argos"
    return "xbar"  # also the safest choice for an unknown host: the strictest parser


def detect_dark(env: dict[str, str] | None = None) -> bool:
    """Whether single colours should be the dark-appearance ones (hosts without light,dark pairs).

    xbar says so in XBARDarkMode; SwiftBar in OS_APPEARANCE (it also gets pairs); GNOME's shell menus,
    where Argos draws, are dark by default.
    """
    env = os.environ if env is None else env
    if env.get("XBARDarkMode") or env.get("BitBarDarkMode"):
        return (env.get("XBARDarkMode") or env.get("BitBarDarkMode") or "").lower() == "true"
    if env.get("OS_APPEARANCE"):
        return env["OS_APPEARANCE"].lower() == "dark"
    return bool(env.get("ARGOS_VERSION"))


@dataclass
class Action:
    """Run `path args...` in the background, then refresh the plugin."""

    path: str
    args: list[str]
    refresh: bool = True
    terminal: bool = False  # show the command's output in a terminal window (a report the user asked for)


@dataclass
class Line:
    text: str
    depth: int = 0
    params: dict[str, str] = field(default_factory=dict)
    action: Action | None = None
    # (light, dark) hex colours; dark is used only where the host understands pairs.
    color: tuple[str, str] | None = None
    separator: bool = False
    # A chosen option: SwiftBar shows a native check mark, other hosts get a "✓ " prefix.
    checked: bool = False


# Control characters: newlines would start a new item, ESC lets server text colour or garble the line.
_CONTROL = dict.fromkeys([*range(32), 127], " ")


def clean_title(text: str) -> str:
    """A `|` would split the line (xbar-plugins #1654); control characters become spaces."""
    return text.replace("|", "¦").translate(_CONTROL).strip() or " "


def _quote(value: str) -> str:
    value = value.replace("\r", " ").replace("\n", " ")  # a newline would end the menu line
    if value == "" or any(c.isspace() or c in "'\"=|" for c in value):
        return '"' + value.replace('"', "'") + '"'
    return value


def _is_param(key: str) -> bool:
    return key.startswith("param") and key[5:].isdigit() and key != "param0"


def _fits(title: str, length: str) -> bool:
    try:
        return len(title) <= int(length)
    except ValueError:
        return False


def detect_macos_major(env: dict[str, str] | None = None) -> int | None:
    """The macOS major version SwiftBar reports (OS_VERSION_MAJOR); None when the host does not say."""
    env = os.environ if env is None else env
    try:
        return int(env.get("OS_VERSION_MAJOR") or "")
    except ValueError:
        return None


def render_line(line: Line, host: str, dark: bool = False) -> str:
    prefix = "--" * line.depth
    if line.separator:
        return prefix + "---"
    params: dict[str, str] = {}
    if line.action is not None:
        if host == "argos":
            # Argos has no param1..N: bash= is a command line run by bash.
            params["bash"] = " ".join(shlex.quote(p) for p in [line.action.path, *line.action.args])
        else:
            params["bash"] = line.action.path
            for i, arg in enumerate(line.action.args, start=1):
                params[f"param{i}"] = arg
        params["terminal"] = "true" if line.action.terminal else "false"
        if line.action.refresh:
            params["refresh"] = "true"
    if line.color is not None:
        light, dark_color = line.color
        params["color"] = f"{light},{dark_color}" if host == "swiftbar" else (dark_color if dark else light)
    params.update(line.params)
    text = line.text
    if line.checked:
        if host == "swiftbar":
            params["checked"] = "true"
        else:
            text = "✓ " + text
    if text.count(":") >= 2:
        # ":word:" would become an emoji (both hosts) or an SF Symbol (SwiftBar): keep clock times and the like.
        params.setdefault("emojize", "false")
        params.setdefault("symbolize", "false")
    if "\\" in text:
        # Hosts unescape titles: SwiftBar turns "\\n" into a line break, xbar's ANSI pass unquotes them.
        if host == "swiftbar":
            text = text.replace("\\", "\\\\")
        elif host == "xbar":
            params.setdefault("ansi", "false")
    if host == "argos":
        # Argos reads titles as Pango markup and unescapes backslashes (utilities.js parseLine).
        if any(c in text for c in "<>&"):
            params.setdefault("useMarkup", "false")
        if "\\" in text:
            params.setdefault("unescape", "false")
    if "length" in params and _fits(clean_title(text), params["length"]):
        # xbar adds "…" to any title at least length-1 long, cut or not: a title that fits needs no
        # length at all (docs/decisions/reference-and-hosts.md)
        del params["length"]
    allowed = {"swiftbar": None, "xbar": XBAR_KEYS, "argos": ARGOS_KEYS}[host]
    kept = []
    for key, value in params.items():
        if host != "swiftbar" and key in SWIFTBAR_ONLY:
            continue
        if allowed is not None and key not in allowed and not (host == "xbar" and _is_param(key)):
            continue
        kept.append(f"{key}={_quote(str(value))}")
    title = clean_title(text)
    return f"{prefix}{title} | {' '.join(kept)}" if kept else prefix + title


def render_lines(header: list[Line], body: list[Line], host: str, metadata: list[str] | None = None,
                 dark: bool = False) -> str:
    out = [render_line(h, host, dark) for h in header]
    out.append("---")
    # SwiftBar and xbar (since 2.0.31) draw "-----" as a separator inside a submenu; Argos has no
    # submenu separators, so it goes without (docs/decisions/reference-and-hosts.md).
    out += [render_line(b, host, dark) for b in body if not (b.separator and b.depth and host == "argos")]
    return "\n".join(out) + "\n"
