"""Importing kiri_core pins the numeric kernels on x86-64 (docs/engine.md, "Across machines")."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest

from kiri_core import PINNED_KERNELS

REPO = Path(__file__).resolve().parents[1]
SHOW = "import os, {package}; print(os.environ.get('{name}'))"
ENTRY_PACKAGES = ("kiri_core", "bench")  # bench imports pandas before the engine

pytestmark = pytest.mark.skipif(
    platform.machine() not in ("x86_64", "AMD64"), reason="the pin applies to x86-64 only"
)


def environment_after_import(name: str, env: dict[str, str], package: str = "kiri_core") -> str:
    run = subprocess.run(
        [sys.executable, "-c", SHOW.format(package=package, name=name)],
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return run.stdout.strip()


@pytest.mark.parametrize("package", ENTRY_PACKAGES)
@pytest.mark.parametrize("name", sorted(PINNED_KERNELS))
def test_import_pins_the_kernels_in_a_bare_environment(name: str, package: str) -> None:
    assert environment_after_import(name, {}, package) == PINNED_KERNELS[name]


@pytest.mark.parametrize("name", sorted(PINNED_KERNELS))
def test_a_choice_in_the_environment_is_kept(name: str) -> None:
    assert environment_after_import(name, {name: "SandyBridge"}) == "SandyBridge"
