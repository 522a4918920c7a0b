"""What the store's tests share: skipping plainly when the oxigraph server is missing, and
a private copy of notes/ to push and edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.errors import StoreError
from kg.store.server import oxigraph_binary

NOTES = Path(__file__).resolve().parent.parent / "notes"


def require_oxigraph() -> None:
    """Skip the calling test module when the `oxigraph` server binary is not installed."""
    try:
        oxigraph_binary()
    except StoreError:  # pragma: no cover - the dependency is declared; say so plainly
        pytest.skip(
            "the oxigraph server is not installed (pip install oxigraph)", allow_module_level=True
        )


def copy_notes(target: Path) -> Path:
    """notes/ copied to `target` without its index folder; `target`."""
    shutil.copytree(NOTES, target, ignore=shutil.ignore_patterns(".kg"))
    return target
