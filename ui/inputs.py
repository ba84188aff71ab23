"""Input boxes shared by pages: amounts and decimals typed and shown the client's way, and
destructive actions asked twice."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from kiri_core import formatting as fmt
from kiri_core.services.errors import KiriError
from ui.errors import show_error


def money_input(label: str, default: float, currency: str, *, key: str,
                where: DeltaGenerator | None = None, errors: DeltaGenerator | None = None,
                label_visibility: str = "visible") -> float | None:
    """A text box for an amount in ``currency``, shown in the client's format (``1 250 000``).

    It reads whatever :func:`kiri_core.formatting.parse_money` reads (``1250000``,
    ``1,250,000`` where that is the thousands separator, ``1,25m``, ``250k``). Amounts are
    whole currency units. See :func:`_typed_input` for the rest.
    """
    return _typed_input(label, default, key=key,
                        read=lambda text: float(round(fmt.parse_money(text, currency))),
                        show=lambda amount: fmt.number(amount, currency),
                        where=where, errors=errors, label_visibility=label_visibility)


def decimal_input(label: str, default: float, currency: str, *, key: str,
                  where: DeltaGenerator | None = None, errors: DeltaGenerator | None = None,
                  label_visibility: str = "visible") -> float | None:
    """A text box for a multiple or a target with two decimals, shown the client's way
    (``0,50`` for SEK, ``0.50`` for USD) and read by :func:`kiri_core.formatting.parse_decimal`.
    See :func:`_typed_input` for the rest."""
    return _typed_input(label, default, key=key,
                        read=lambda text: round(fmt.parse_decimal(text, currency), 2),
                        show=lambda value: fmt.number(value, currency, 2),
                        where=where, errors=errors, label_visibility=label_visibility)


def _typed_input(label: str, default: float, *, key: str, read: Callable[[str], float],
                 show: Callable[[float], str], where: DeltaGenerator | None,
                 errors: DeltaGenerator | None, label_visibility: str) -> float | None:
    """A text box that starts at ``show(default)`` and returns ``read(text)``.

    On the next run the box shows the value again as ``show`` writes it. Text ``read``
    refuses (a ValueError saying why) stays in the box, with the reason in an error right
    under it, or in ``errors`` (a box in a narrow table cell puts it under the row); a
    collapsed label starts the message, so it names the box.

    Every run gives the box its text as its default too. A browser keeps what a box shows
    (an entry not yet submitted included), but one that missed the run that set the text (a
    run cut short by a rerun, as the login cookie's rerun does) would otherwise show an empty
    box, and send that back on Optimise.

    Returns
    -------
    float or None
        The value, or None when the text is not one (the error is already shown).
    """
    where = st if where is None else where
    text = st.session_state.get(key)
    if text is None:  # set through the state too: a browser still showing another run's or
        text = st.session_state[key] = show(default)  # client's entry takes this one
    problem = None
    try:
        value = read(text)
    except ValueError as error:
        value, problem = None, fmt.unbreakable_numbers(str(error))  # no "1 250 / 000"
    else:
        if (tidy := show(value)) != text:
            text = st.session_state[key] = tidy  # before the box exists: the box shows this
    where.text_input(label, text, key=key, label_visibility=label_visibility)
    if problem:
        (where if errors is None else errors).error(
            f"{label}: {problem}" if label_visibility == "collapsed" else problem)
    return value


def confirmed_action(label: str, question: str, action: Callable[[], None], *, key: str,
                     yes: str = "Yes, delete") -> None:
    """A destructive action asked twice: ``label`` opens a popover with ``question`` and
    ``yes``; clicking that runs ``action`` and the page again.

    A refusal (a :class:`KiriError`, e.g. a run still in progress on the dataset) closes the
    popover, which would cover it, and is shown under its button once: a refused try counts
    in the popover's key, and a new popover opens closed. Closing the popover keeps
    everything.
    """
    tries_key, refused_key = f"{key}_refusals", f"{key}_refused"
    tries = st.session_state.get(tries_key, 0)
    with st.popover(label, key=f"{key}_ask_{tries}"):
        st.markdown(question)
        clicked = st.button(yes, key=key, type="primary")
    if clicked:
        try:
            action()
        except KiriError as error:
            st.session_state[refused_key] = error
            st.session_state[tries_key] = tries + 1
        st.rerun()
    if refused := st.session_state.pop(refused_key, None):
        show_error(refused)
