"""Each host's output protocol: one status line, coloured the host's own way by the state.

- plain: the text alone (shell prompts, anything that reads one line);
- tmux: the text with `#[fg=…]` styles (tmux applies them to `#()` output in status-left/right);
- waybar: one JSON object for a custom module with `"return-type": "json"` (text, alt, tooltip,
  class, percentage); our values and the tooltip are escaped for Pango markup;
- i3blocks: full text, short text and colour lines; exit code 33 marks the block urgent (critical).
"""

from __future__ import annotations

HOSTS = ("plain", "tmux", "waybar", "i3blocks")

DEFAULT_FORMATS = {
    "plain": "Codex {session_left} · {weekly_left}{mark}",
    "tmux": "#[fg={color}]Codex {session_left} · {weekly_left}{mark}#[default]",
    "waybar": "Codex {session_left} · {weekly_left}",
    "i3blocks": "Codex 5h {session_left} · wk {weekly_left} · {cost_today}{mark}",
}
I3BLOCKS_SHORT = "{left}{mark}"
I3BLOCKS_URGENT = 33  # i3blocks' exit code for an urgent block

# state -> colour, per host that takes colours (tmux names; i3blocks hex, the menu's dark-mode tones).
COLORS = {
    "tmux": {"ok": "green", "warning": "yellow", "critical": "red", "stale": "colour244"},
    "i3blocks": {"ok": "#34C759", "warning": "#FF9F0A", "critical": "#FF453A", "stale": "#98989D"},
}


class TemplateError(ValueError):
    """A --format template that cannot be filled (unknown placeholder, unbalanced braces)."""


def fill(template: str, values: dict[str, str]) -> str:
    try:
        return template.format_map(values)
    except KeyError as exc:
        raise TemplateError(f"unknown placeholder {{{exc.args[0]}}} in --format") from None
    except (ValueError, IndexError, AttributeError) as exc:
        raise TemplateError(f"bad --format template ({exc}); write a literal brace as {{{{ or }}}}") from None


def json_string(text: str) -> str:
    """`text` as a JSON string literal (`json` itself costs ~6 ms of imports; this is all waybar needs)."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    if any(c < " " for c in text):
        text = "".join(f"\\u{ord(c):04x}" if c < " " else c for c in text)
    return f'"{text}"'


def _pango(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(host: str, template: str | None, values: dict[str, str], tooltip: str,
           percentage: int) -> tuple[str, int]:
    """(what to print, exit code) for `host`."""
    state = values["state"]
    values = dict(values)
    values["color"] = COLORS.get(host, COLORS["i3blocks"])[state]
    template = DEFAULT_FORMATS[host] if template is None else template
    if host == "tmux":
        # '#' starts a tmux format sequence: values are doubled so they print as themselves
        text = fill(template, {k: v if k == "color" else v.replace("#", "##") for k, v in values.items()})
        return text + "\n", 0
    if host == "waybar":
        # values are escaped, the template is not: it may hold the user's own Pango markup
        text = fill(template, {k: _pango(v) for k, v in values.items()})
        fields = [f'"text": {json_string(text)}', f'"alt": {json_string(state)}',
                  f'"tooltip": {json_string(_pango(tooltip))}', f'"class": {json_string(state)}',
                  f'"percentage": {int(percentage)}']
        return "{" + ", ".join(fields) + "}\n", 0
    if host == "i3blocks":
        full = fill(template, values)
        short = fill(I3BLOCKS_SHORT, values)
        return f"{full}\n{short}\n{values['color']}\n", I3BLOCKS_URGENT if state == "critical" else 0
    return fill(template, values) + "\n", 0
