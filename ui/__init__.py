"""Streamlit helpers shared by the pages: session state, login gate, client picker, errors."""
