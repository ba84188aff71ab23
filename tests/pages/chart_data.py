"""The data behind a page's charts, as the AppTest run drew them."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa


def chart_frames(app) -> list[pd.DataFrame]:
    """Every dataset of every Vega-Lite chart on the page, as a frame, in page order."""
    return [pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
            for chart in app.get("vega_lite_chart") for dataset in chart.proto.datasets]
