"""A tiny RGBA canvas and PNG encoder (zlib + struct only), so drawing the cost chart costs no heavy import.

Only what the chart needs: filled rectangles and a 5x7 bitmap font for digits and a few symbols.
"""

from __future__ import annotations

import struct
import zlib

RGBA = tuple[int, int, int, int]

# 5x7 glyphs, one string per row, "#" = ink. Enough for "$1,234.56", "4.1M", "11-25".
_GLYPHS: dict[str, tuple[str, ...]] = {
    "0": (".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."),
    "1": ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "2": (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    "3": ("#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."),
    "4": ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    "6": ("..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    "8": (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    "9": (".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."),
    "$": ("..#..", ".####", "#.#..", ".###.", "..#.#", "####.", "..#.."),
    ".": ("..", "..", "..", "..", "..", "##", "##"),
    ",": ("..", "..", "..", "..", "##", ".#", "#."),
    "-": ("....", "....", "....", "####", "....", "....", "...."),
    "K": ("#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"),
    "B": ("####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."),
    " ": ("...", "...", "...", "...", "...", "...", "..."),
}
GLYPH_HEIGHT = 7


class Canvas:
    """Straight (non-premultiplied) RGBA pixels, transparent to start with."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.pixels = bytearray(width * height * 4)

    def fill_rect(self, x0: int, y0: int, x1: int, y1: int, color: RGBA) -> None:
        """Fill [x0, x1) x [y0, y1), clipped to the canvas."""
        x0, x1 = max(0, x0), min(self.width, x1)
        y0, y1 = max(0, y0), min(self.height, y1)
        if x0 >= x1 or y0 >= y1:
            return
        run = bytes(color) * (x1 - x0)
        for y in range(y0, y1):
            start = (y * self.width + x0) * 4
            self.pixels[start:start + len(run)] = run

    def pixel(self, x: int, y: int) -> RGBA:
        i = (y * self.width + x) * 4
        r, g, b, a = self.pixels[i:i + 4]
        return (r, g, b, a)

    def text_width(self, text: str, scale: int) -> int:
        glyphs = [_GLYPHS.get(ch, _GLYPHS[" "]) for ch in text]
        return sum((len(g[0]) + 1) * scale for g in glyphs) - (scale if glyphs else 0)

    def draw_text(self, x: int, y: int, text: str, color: RGBA, scale: int) -> int:
        """Draw `text` with its top-left at (x, y); returns the x after the last glyph."""
        for ch in text:
            glyph = _GLYPHS.get(ch, _GLYPHS[" "])
            for row, bits in enumerate(glyph):
                for col, bit in enumerate(bits):
                    if bit == "#":
                        self.fill_rect(x + col * scale, y + row * scale, x + (col + 1) * scale,
                                       y + (row + 1) * scale, color)
            x += (len(glyph[0]) + 1) * scale
        return x

    def to_png(self, dpi: int = 144) -> bytes:
        return encode_png(self.width, self.height, bytes(self.pixels), dpi)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(width: int, height: int, rgba: bytes, dpi: int = 144) -> bytes:
    """8-bit RGBA PNG. The pHYs chunk carries the DPI: at 144 dpi macOS shows 2 px per point (Retina)."""
    stride = width * 4
    raw = b"".join(b"\x00" + rgba[y * stride:(y + 1) * stride] for y in range(height))
    ppm = int(round(dpi / 0.0254))
    return (b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + _chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
            + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b""))


def decode_png(data: bytes) -> tuple[int, int, bytes, dict[bytes, bytes]]:
    """Decode what `encode_png` writes (RGBA, filter 0): (width, height, pixels, other chunks). For tests/tools."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, chunks = 8, b"", {}
    width = height = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if crc != zlib.crc32(kind + body) & 0xFFFFFFFF:
            raise ValueError(f"bad CRC in {kind!r}")
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            if (depth, ctype) != (8, 6):
                raise ValueError("only 8-bit RGBA is supported")
        elif kind == b"IDAT":
            idat += body
        else:
            chunks[kind] = body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 4
    rows = []
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        if line[0] != 0:
            raise ValueError("only filter type 0 is supported")
        rows.append(line[1:])
    return width, height, b"".join(rows), chunks
