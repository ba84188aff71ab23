"""The Python MMM engine: Robyn 3.12's method (adstock, Hill, ridge, nevergrad, Pareto)."""
