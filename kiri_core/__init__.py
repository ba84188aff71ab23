"""Kiri MMM: the domain package (engine, services, data, reports). Never imports Streamlit."""

__version__ = "0.1.0"
