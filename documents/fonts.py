"""Where the documents find a font with the Finnish and Swedish letters (ä, ö, å) and the en dash.

DejaVu Sans first (Debian/Ubuntu package fonts-dejavu-core, installed in CI), then other
common sans-serif TrueType fonts with the Nordic letters. Without any of them the picture
falls back to Pillow's built-in font and the PDF to Helvetica.
"""

from __future__ import annotations

from pathlib import Path

#: Regular and bold TrueType files, tried in order.
FONT_PAIRS: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),  # Fedora, Alpine
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),  # Arch
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
    ("/Library/Fonts/Arial.ttf", "/Library/Fonts/Arial Bold.ttf"),  # macOS
    ("/System/Library/Fonts/Supplemental/Arial.ttf", "/System/Library/Fonts/Supplemental/Arial Bold.ttf"),
    ("C:/Windows/Fonts/arial.ttf", "C:/Windows/Fonts/arialbd.ttf"),
)
REGULAR_FONT_FILES = tuple(regular for regular, _ in FONT_PAIRS)
BOLD_FONT_FILES = tuple(bold for _, bold in FONT_PAIRS)


def font_file(bold: bool = False) -> Path | None:
    """The first font file (regular or bold) that exists, or None when there is none."""
    for name in BOLD_FONT_FILES if bold else REGULAR_FONT_FILES:
        path = Path(name)
        if path.is_file():
            return path
    return None
