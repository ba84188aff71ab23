"""My account: who is signed in, and a new password (given the current one)."""

from __future__ import annotations

import streamlit as st

from ui.auth import change_password_form
from ui.context import signed_in_user
from ui.db import db

with db() as session:
    user = signed_in_user(session)
    st.title("My account")
    st.markdown(f"**{user.name}** · {user.email}"
                + (" · administrator" if user.is_admin else ""))
    st.subheader("Change my password")
    change_password_form(session, user)
