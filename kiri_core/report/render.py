"""Charts to PNG with vl-convert, drawn in the shipped Inter fonts."""

from __future__ import annotations

import functools
from typing import Any

import vl_convert as vlc

from kiri_core.report.fonts import FONT_DIR


@functools.cache
def register_fonts() -> None:
    """Make the shipped Inter OTFs (static/fonts) available to vl-convert, once per process."""
    vlc.register_font_directory(str(FONT_DIR))


def chart_png(chart: Any, width: int, height: int | None = None, scale: float = 2.0) -> bytes:
    """A chart builder's chart as PNG bytes, ``width`` CSS pixels wide (times ``scale``)."""
    register_fonts()
    sized = chart.properties(width=width) if height is None else chart.properties(
        width=width, height=height)
    spec = sized.to_dict(validate=False)  # the builders' specs are schema-checked in tests
    return vlc.vegalite_to_png(spec, scale=scale)
