"""A confirmation that outlives the reruns right after the action it confirms.

A toast, or a notice shown once, is lost when the page reruns at once: ``st.rerun`` after
the action, or a component's own rerun (the login cookie's). :func:`keep` holds one notice;
:func:`show` says it on the page the app opens next, by its URL path, on each of that page's
reruns until another page is opened. app.py shows it above the page, but for the pages that
show it in a place of their own (``app.OWN_NOTICE_PAGES``).
"""

from __future__ import annotations

import streamlit as st

#: The kept notice: (the URL path of the page it is shown on, None until shown; its text)
KEPT = "kept_notice"


def keep(text: str) -> None:
    """Say ``text`` on the page the app opens next (:func:`show`), in place of any notice
    kept before."""
    st.session_state[KEPT] = (None, text)


def show(address: str) -> None:
    """The kept notice on the page at ``address`` (its URL path; with what else the notice
    is about, such as the client, where that may change on the page): the first address to
    show it keeps it on each of its reruns; any other forgets it."""
    kept = st.session_state.get(KEPT)
    if kept is None:
        return
    shown_on, text = kept
    if shown_on is None:
        shown_on, st.session_state[KEPT] = address, (address, text)
    if shown_on == address:
        st.success(text)
    else:
        del st.session_state[KEPT]
