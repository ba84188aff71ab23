"""Datasets: reading, column detection and validation shared by upload, BigQuery and CLI."""
