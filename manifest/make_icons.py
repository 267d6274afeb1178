"""Generate the Teams app icons (color.png, outline.png) next to this file.

The symbol is a six-pointed star made of two triangles, as in the Hyvinvoinnin tähti
(wellbeing star): a dark-blue triangle pointing up and a light-blue one pointing down.

    .venv/bin/python manifest/make_icons.py          # (re)write the PNG files
    .venv/bin/python manifest/make_icons.py --check  # exit 1 if the files are stale

Standard library only; the output is byte-for-byte reproducible.
"""

from __future__ import annotations

import argparse
import math
import struct
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
DARK_BLUE = (0x1F, 0x3A, 0x93)
LIGHT_BLUE = (0x5B, 0x9B, 0xD5)
WHITE = (0xFF, 0xFF, 0xFF)
SUBSAMPLES = 4  # per axis, for anti-aliasing

Point = tuple[float, float]
Triangle = tuple[Point, Point, Point]


def encode_png(width: int, height: int, rgba: bytes) -> bytes:
    """Encode 8-bit RGBA pixels (row-major) as a PNG file."""
    if len(rgba) != width * height * 4:
        raise ValueError("pixel buffer does not match the image size")

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    stride = width * 4
    raw = b"".join(b"\x00" + rgba[y * stride : (y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA, not interlaced
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def star(cx: float, cy: float, radius: float) -> tuple[Triangle, Triangle]:
    """The up- and down-pointing triangles of a hexagram with the given circumradius."""
    dx, dy = radius * math.cos(math.pi / 6), radius / 2
    up = ((cx, cy - radius), (cx + dx, cy + dy), (cx - dx, cy + dy))
    down = ((cx, cy + radius), (cx - dx, cy - dy), (cx + dx, cy - dy))
    return up, down


def _inside(p: Point, tri: Triangle) -> bool:
    def edge(a: Point, b: Point) -> float:
        return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])

    d1, d2, d3 = edge(tri[0], tri[1]), edge(tri[1], tri[2]), edge(tri[2], tri[0])
    return (d1 >= 0 and d2 >= 0 and d3 >= 0) or (d1 <= 0 and d2 <= 0 and d3 <= 0)


def _coverage(x: int, y: int, shapes: Sequence[Triangle]) -> float:
    """Fraction of the pixel (x, y) covered by the union of the shapes."""
    step = 1 / SUBSAMPLES
    hits = sum(
        any(_inside((x + (i + 0.5) * step, y + (j + 0.5) * step), tri) for tri in shapes)
        for i in range(SUBSAMPLES)
        for j in range(SUBSAMPLES)
    )
    return hits / SUBSAMPLES**2


def render_color(size: int = 192) -> bytes:
    """Full-colour icon: the star (symbol 96x96 of 192, i.e. 48 px padding) on solid white."""
    up, down = star(size / 2, size / 2, size / 4)
    pixels = bytearray()
    for y in range(size):
        for x in range(size):
            rgb = [float(c) for c in WHITE]
            for tri, colour in ((down, LIGHT_BLUE), (up, DARK_BLUE)):  # dark drawn on top
                cov = _coverage(x, y, [tri])
                rgb = [c * (1 - cov) + t * cov for c, t in zip(rgb, colour, strict=True)]
            pixels += bytes(round(c) for c in rgb) + b"\xff"
    return encode_png(size, size, bytes(pixels))


def render_outline(size: int = 32) -> bytes:
    """Outline icon: the star in pure white on a fully transparent background, no padding."""
    shapes = star(size / 2, size / 2, size / 2)
    pixels = bytearray()
    for y in range(size):
        for x in range(size):
            pixels += bytes(WHITE) + bytes([round(255 * _coverage(x, y, shapes))])
    return encode_png(size, size, bytes(pixels))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only check that the files are up to date")
    args = parser.parse_args(argv)
    icons = {HERE / "color.png": render_color(), HERE / "outline.png": render_outline()}
    stale = [path for path, data in icons.items() if not path.is_file() or path.read_bytes() != data]
    if args.check:
        for path in stale:
            print(f"{path.name} is missing or stale; run manifest/make_icons.py", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_bytes(icons[path])
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
