"""``python -m kiri_core``: see :mod:`kiri_core.cli`."""

from kiri_core.cli import main

raise SystemExit(main())
