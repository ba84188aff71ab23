"""Robyn in R as a second engine (docs/robyn-r.md).

- :mod:`~kiri_core.robyn_r.adapter`: ``run_robyn`` for the worker (inputs, R, result)
- :mod:`~kiri_core.robyn_r.runner`: the R process and its protocol, the ``Robyn*`` errors
- :mod:`~kiri_core.robyn_r.process`: a process group with cancel and time-out
- :mod:`~kiri_core.robyn_r.parse`: Robyn's output files -> the result document
- :mod:`~kiri_core.robyn_r.availability`: is Robyn installed? (worker start, run form)
- :mod:`~kiri_core.robyn_r.parity`: Kiri and Robyn side by side

Nothing is imported here, so the light modules (availability, models) stay light.
"""
