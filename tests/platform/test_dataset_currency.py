"""Saving a dataset version: amounts in another currency than the client's are refused."""

from __future__ import annotations

import pandas as pd
import pytest

from kiri_core.services import datasets
from kiri_core.services.errors import ValidationError


def spend_in_euros(frame: pd.DataFrame) -> bytes:
    """``frame`` (text) with its Meta spend written "€71.293", as a European export does."""
    euros = [f"€{float(x):,.0f}".replace(",", ".") for x in frame["spend_meta"]]
    return frame.assign(spend_meta=euros).to_csv(index=False).encode()


def save(session, actor, client_id: int, data: bytes):
    frame = datasets.read_upload(data)
    return datasets.save_dataset(session, actor, client_id, frame,
                                 datasets.suggest_mapping(frame), name="upload",
                                 source="upload:euro.csv")


def test_euros_for_a_client_in_kronor_are_refused(session, team, good_frame):
    with pytest.raises(ValidationError) as error:
        save(session, team.analyst, team.client.id, spend_in_euros(good_frame))
    assert str(error.value) == (
        "Nothing was saved: column 'spend_meta' is in € but Acme AB reports in SEK: convert the "
        "amounts to SEK (or change the client's currency) and load the data again.")
    assert datasets.list_datasets(session, team.analyst, team.client.id) == []


def test_euros_for_a_client_in_euros_are_saved_as_numbers(session, team, good_frame):
    saved = save(session, team.outsider, team.other_client.id, spend_in_euros(good_frame))
    stored = datasets.load_frame(session, team.outsider, saved.id)
    assert stored["spend_meta"].tolist() == [round(float(x)) for x in good_frame["spend_meta"]]
