"""Inter for the PDF: the shipped OTFs converted to TrueType outlines, reproducibly."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from kiri_core.report import fonts


@pytest.fixture
def cache(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("KIRI_FONT_CACHE", str(tmp_path))
    return tmp_path


def test_every_face_becomes_a_truetype_font_with_the_same_glyphs(cache: Path) -> None:
    converted = fonts.truetype_fonts()
    assert set(converted) == set(fonts.FACES)
    for face, path in converted.items():
        assert path.parent == cache
        font = TTFont(path)
        original = TTFont(fonts.FONT_DIR / fonts.FACES[face])
        assert "glyf" in font and "CFF " not in font
        assert font.sfntVersion == "\x00\x01\x00\x00"
        assert font.getGlyphOrder() == original.getGlyphOrder()
        assert font.getBestCmap() == original.getBestCmap()


def converted_regular() -> bytes:
    """Inter Regular converted afresh (not from the cache), as bytes."""
    font = TTFont(fonts.FONT_DIR / fonts.FACES[("Inter", "")], recalcTimestamp=False)
    fonts.otf_to_ttf(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def test_conversion_is_reproducible() -> None:
    assert converted_regular() == converted_regular()
