"""Input boxes shared by pages: amounts of money typed and shown the client's way."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from kiri_core import formatting as fmt


def money_input(label: str, default: float, currency: str, *, key: str,
                where: DeltaGenerator | None = None, errors: DeltaGenerator | None = None,
                label_visibility: str = "visible") -> float | None:
    """A text box for an amount in ``currency``, shown in the client's format (``1 250 000``).

    It starts at ``default`` and reads whatever :func:`kiri_core.formatting.parse_money`
    reads (``1250000``, ``1,250,000`` where that is the thousands separator, ``1,25m``,
    ``250k``); on the next run the box shows the amount again in the client's format.
    Amounts are whole currency units. Text that is no amount stays in the box, with the
    reason in an error right under it, or in ``errors`` (a box in a narrow table cell puts
    it under the row); a collapsed label starts the message, so it names the box.

    Returns
    -------
    float or None
        The amount, or None when the text is not one (the error is already shown).
    """
    where = st if where is None else where
    text = st.session_state.get(key)
    if text is None:
        text = st.session_state[key] = fmt.number(default, currency)
    problem = None
    try:
        amount = float(round(fmt.parse_money(text, currency)))
    except fmt.AmountError as error:
        amount, problem = None, str(error)
    else:
        if (tidy := fmt.number(amount, currency)) != text:
            st.session_state[key] = tidy  # before the box exists in this run: it shows this
    where.text_input(label, key=key, label_visibility=label_visibility)
    if problem:
        (where if errors is None else errors).error(
            f"{label}: {problem}" if label_visibility == "collapsed" else problem)
    return amount
