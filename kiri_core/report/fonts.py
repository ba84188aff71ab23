"""Inter for the PDF: the shipped OTFs, converted once to TrueType outlines for fpdf2.

fpdf2 embeds CID-keyed CFF fonts properly, but Inter's OTFs are name-keyed CFF, which fpdf2
would embed as a TrueType font file (readers then warn about a font type mismatch). So the
shipped OTFs are converted with fontTools (cubic to quadratic outlines, ``cu2qu``) into a
cache folder the first time a report is drawn; the conversion is deterministic, so reports
stay byte-identical.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"
#: (fpdf2 family, style) -> shipped OTF
FACES = {("Inter", ""): "Inter-Regular.otf", ("Inter", "B"): "Inter-Bold.otf",
         ("InterSemiBold", ""): "Inter-SemiBold.otf"}
MAX_ERROR = 1.0  # font units: the largest distance between the cubic and quadratic curves


def cache_dir() -> Path:
    """Where the converted fonts live (``KIRI_FONT_CACHE`` or the system temp folder)."""
    return Path(os.environ.get("KIRI_FONT_CACHE") or Path(tempfile.gettempdir()) / "kiri-fonts")


def truetype_fonts() -> dict[tuple[str, str], Path]:
    """(family, style) -> a TrueType Inter converted from the shipped OTF (cached by content)."""
    return {face: _converted(FONT_DIR / name) for face, name in FACES.items()}


def _converted(otf: Path) -> Path:
    digest = hashlib.sha256(otf.read_bytes()).hexdigest()[:16]
    target = cache_dir() / f"{otf.stem}-{digest}.ttf"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        font = TTFont(otf, recalcTimestamp=False)
        otf_to_ttf(font)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(partial)
        partial.replace(target)  # atomic: concurrent workers never read half a file
    return target


def otf_to_ttf(font: TTFont) -> None:
    """Replace a CFF font's outlines by quadratic TrueType ``glyf`` outlines, in place."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    font["maxp"] = _truetype_maxp(font)
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font.sfntVersion = "\x00\x01\x00\x00"


def _truetype_maxp(font: TTFont) -> object:
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.compile(font)
    return maxp
