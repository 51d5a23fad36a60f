"""The dashboard's HTML read into the pieces the page rules need: text lines, scripts, links, inputs, tables.

No network and no JavaScript: the server's HTML as it is (docs/reference/usage-sources.md, "The web dashboard (web source)").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

_BLOCK_TAGS = {"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "br", "section",
               "main", "header", "footer", "table", "tbody", "thead", "ul", "ol", "button",
               "label", "title", "body", "html", "article", "nav", "dt", "dd"}
_SKIP_TEXT_TAGS = {"script", "style", "noscript", "template"}


@dataclass
class Anchor:
    href: str
    text: str
    position: int  # index into the text lines where the link sits


@dataclass
class PageDocument:
    """What the HTML holds, in the pieces the rules need."""

    title: str = ""
    lines: list[str] = field(default_factory=list)
    scripts: dict[str, str] = field(default_factory=dict)  # script id -> raw text
    anchors: list[Anchor] = field(default_factory=list)
    inputs: list[dict[str, str]] = field(default_factory=list)
    tables: list[tuple[str, list[list[str]]]] = field(default_factory=list)  # (heading before it, rows of cells)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = PageDocument()
        self._buf: list[str] = []
        self._skip = 0
        self._script_id: str | None = None
        self._script_buf: list[str] = []
        self._in_title = False
        self._anchor: dict[str, Any] | None = None
        self._heading: str = ""
        self._heading_buf: list[str] | None = None
        self._table_rows: list[list[str]] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def _flush(self) -> None:
        for raw in "".join(self._buf).splitlines():
            text = " ".join(raw.split())
            if text:
                self.doc.lines.append(text)
        self._buf = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in _SKIP_TEXT_TAGS:
            self._skip += 1
            if tag == "script":
                self._script_id = a.get("id") or ""
                self._script_buf = []
            return
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "title":
            self._in_title = True
        elif tag == "a":
            self._anchor = {"href": a.get("href", ""), "text": [], "position": len(self.doc.lines)}
        elif tag == "input":
            self.doc.inputs.append(a)
        elif tag in ("h1", "h2", "h3"):
            self._heading_buf = []
        elif tag == "table":
            self._table_rows = []
        elif tag == "tr" and self._table_rows is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TEXT_TAGS:
            self._skip = max(0, self._skip - 1)
            if tag == "script" and self._script_id is not None:
                if self._script_id:
                    self.doc.scripts[self._script_id] = "".join(self._script_buf)
                self._script_id = None
            return
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "title":
            self._in_title = False
        elif tag == "a" and self._anchor is not None:
            text = " ".join("".join(self._anchor["text"]).split())
            self.doc.anchors.append(Anchor(self._anchor["href"], text, self._anchor["position"]))
            self._anchor = None
        elif tag in ("h1", "h2", "h3") and self._heading_buf is not None:
            self._heading = " ".join("".join(self._heading_buf).split())
            self._heading_buf = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table_rows is not None:
            if self._row:
                self._table_rows.append(self._row)
            self._row = None
        elif tag == "table" and self._table_rows is not None:
            self.doc.tables.append((self._heading, self._table_rows))
            self._table_rows = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            if self._script_id is not None:
                self._script_buf.append(data)
            return
        if self._in_title:
            self.doc.title += data
        self._buf.append(data)
        if self._anchor is not None:
            self._anchor["text"].append(data)
        if self._heading_buf is not None:
            self._heading_buf.append(data)
        if self._cell is not None:
            self._cell.append(data)


def read_html(html: str) -> PageDocument:
    parser = _Collector()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; anything it still chokes on leaves what it read so far
        pass
    parser._flush()
    parser.doc.title = " ".join(parser.doc.title.split())
    return parser.doc


def lines_of(text: str) -> list[str]:
    """Trimmed non-empty lines of plain text."""
    return [ln.strip() for ln in text.splitlines() if ln.strip()]
