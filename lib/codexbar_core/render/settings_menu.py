"""The Refresh action, the settings submenus (source, menu bar, notifications, cookies) and the links."""

from __future__ import annotations

from codexbar_core.render.markup import Action, Line
from codexbar_core.render.menu_input import MenuInput

USAGE_URL = "https://chatgpt.com/codex/settings/usage"
STATUS_URL = "https://status.openai.com/"
CHANGELOG_URL = "https://github.com/openai/codex/releases"
KEYRING_DIRECT_LABEL = "Read Codex's keychain login directly (faster; macOS asks once)"
SOURCE_CHOICES = (("auto", "Auto"), ("oauth", "OAuth"), ("cli", "CLI"), ("web", "Web"))
TITLE_MODE_CHOICES = (("percent", "Percent left (45%)"), ("pace", "Pace (+5% = in reserve)"),
                      ("both", "Both (45% · +5%)"))
TITLE_METRIC_CHOICES = (("auto", "Tightest lane"), ("session", "Session"), ("weekly", "Weekly"))
RESET_STYLE_CHOICES = (("countdown", "Countdown (in 2h 30m)"), ("absolute", "Clock time (3:00 PM)"))
THRESHOLD_PRESETS = (("80,95", "At 80% and 95% used"), ("50,80,95", "At 50%, 80% and 95% used"),
                     ("90", "At 90% used"), ("95,100", "At 95% used and when empty"))


def _label(text: str) -> Line:
    """A section label inside a submenu (no action: hosts show it greyed, like a heading)."""
    return Line(text, depth=1, params={"size": "11"})


def _choice(label: str, depth: int, path: str, args: list[str], checked: bool) -> Line:
    return Line(label, depth=depth, action=Action(path, args), checked=checked)


def actions(inp: MenuInput) -> list[Line]:
    path = inp.action_path
    lines = [Line("Refresh", action=Action(path, ["refresh"]))]
    lines.append(Line("Usage source"))
    for value, label in SOURCE_CHOICES:
        lines.append(_choice(label, 1, path, ["source", value], inp.source_setting == value))
    direct = inp.setting("keyring_direct", False) is True
    lines.append(Line("", depth=1, separator=True))
    lines.append(_choice(KEYRING_DIRECT_LABEL, 1, path, ["set", "keyring_direct", "false" if direct else "true"],
                         direct))
    lines.append(Line("Menu bar"))
    lines.append(_label("Show"))
    for value, label in TITLE_MODE_CHOICES:
        lines.append(_choice(label, 1, path, ["set", "title_mode", value], inp.title_mode == value))
    lines += [Line("", depth=1, separator=True), _label("Lane")]
    for value, label in TITLE_METRIC_CHOICES:
        lines.append(_choice(label, 1, path, ["set", "title_metric", value], inp.title_metric == value))
    lines += [Line("", depth=1, separator=True), _label("Reset times")]
    for value, label in RESET_STYLE_CHOICES:
        lines.append(_choice(label, 1, path, ["set", "reset_style", value], inp.reset_style == value))
    lines += [Line("", depth=1, separator=True)]
    lines.append(_choice("Show percent used instead of left", 1, path,
                         ["set", "show_used", "false" if inp.show_used else "true"], inp.show_used))
    extras = inp.setting("show_extras", True) is not False
    lines.append(_choice("Show Spark and other extra limits", 1, path,
                         ["set", "show_extras", "false" if extras else "true"], extras))
    lines += notification_choices(inp)
    lines.append(Line("OpenAI cookies"))
    for value, label in (("off", "Off"), ("auto", "Automatic (browsers)"), ("manual", "Manual (paste header)")):
        args = ["cookies", "mode", value] if value != "manual" else ["cookies", "prompt"]
        lines.append(_choice(label, 1, path, args, inp.cookie_mode == value))
    lines.append(Line("Open usage page", params={"href": USAGE_URL}))
    lines.append(Line("OpenAI status", params={"href": STATUS_URL}))
    lines.append(Line("Codex changelog", params={"href": CHANGELOG_URL}))
    return lines


def notification_choices(inp: MenuInput) -> list[Line]:
    path = inp.action_path
    enabled = inp.setting("notifications", True) is not False
    current = ",".join(str(t) for t in inp.setting("notify_thresholds", [80, 95]))
    resets = inp.setting("notify_resets", True) is not False
    lines = [Line("Notifications")]
    lines.append(_choice("On", 1, path, ["set", "notifications", "true"], enabled))
    lines.append(_choice("Off", 1, path, ["set", "notifications", "false"], not enabled))
    lines += [Line("", depth=1, separator=True), _label("Notify")]
    for value, label in THRESHOLD_PRESETS:
        lines.append(_choice(label, 1, path, ["set", "notify_thresholds", value], current == value))
    lines.append(_choice("When a limit resets", 1, path, ["set", "notify_resets", "false" if resets else "true"],
                         resets))
    return lines
