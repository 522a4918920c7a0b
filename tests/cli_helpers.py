"""kg's command line run in a child process, as a user runs it: the one helper the tests
share. `run_kg` gives the finished process; `kg_output` its standard output, failing the
test (with the child's standard error) when kg did not exit 0. A test file that always
runs kg one way binds its options once, ``kg = functools.partial(run_kg, columns=72)``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

KG = (sys.executable, "-m", "kg.cli")
# Never look for a model online (a test without the model falls back, never downloads).
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
# All a child is given with ``inherit=False``: no COLUMNS, no KG_* settings of this process.
BARE = {"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}


def run_kg(
    *words: str,
    env: Mapping[str, str] | None = None,
    inherit: bool = True,
    columns: int | None = None,
    timeout: float | None = 300,
    cwd: str | Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """``kg WORDS...`` in a child process, its output as text.

    Parameters
    ----------
    words
        The command line after ``kg``.
    env
        Variables set for the child: over this process's environment, or (``inherit``
        False) its whole environment.
    columns
        The terminal width the child reads (COLUMNS), when given.
    timeout
        Seconds before the child is killed and the test fails (None: no limit).
    cwd
        The folder it runs in (this process's by default).
    """
    child = {**os.environ} if inherit else {}
    child.update(env or {})
    if columns is not None:
        child["COLUMNS"] = str(columns)
    return subprocess.run(
        [*KG, *words], capture_output=True, text=True, timeout=timeout, env=child, cwd=cwd
    )


def kg_output(*words: str, **options: Any) -> str:
    """The standard output of ``kg WORDS...`` (`run_kg`'s options), which must exit 0."""
    result = run_kg(*words, **options)
    assert result.returncode == 0, result.stderr
    return result.stdout
