"""The real `kg browse` in a real terminal (tmux at 80×24), driven with keys like a person.

Search for "hidden reasoning", open it, walk to a related concept, go back, and open
the trace of a body sentence, reading the screen with capture-pane after each step.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest
from tmux_terminal import TMUX, Terminal

pytestmark = pytest.mark.slow


@pytest.fixture
def corpus(seeds_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "seeds"
    shutil.copytree(seeds_dir, copy)
    for path in copy.iterdir():
        path.chmod(0o644)
    copy.chmod(0o755)
    return copy


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")
def test_kg_browse_in_a_real_terminal(corpus: Path, tmp_path: Path):
    kg_bin = Path(sys.executable).parent / "kg"
    command = (
        f"{kg_bin} browse --corpus {corpus} --index {tmp_path / 'index'} "
        f"--export-dir {tmp_path / 'export'}"
    )
    term = Terminal(f"env TERM=xterm-256color {command}")
    try:
        # The overview: corpus name, figures and the footer's main keys.
        term.wait_for("seeds", "notes", "Search", "Help")

        # Search: titles complete as you type.
        term.keys("/")
        term.type("hidden reasoning")
        term.wait_for("Titles", "Do base models already contain hidden reasoning ability?")
        term.keys("Down", "Enter")
        screen = term.wait_for("SYNTHESIS NOTE", "Related", "Used by")
        assert "Do base models already contain hidden" in screen

        # Walk: down the neighbourhood (l: the note opened from search has the focus) to
        # the first related concept and open it.
        term.keys("l", "Down", "Down", "Down", "Down")
        term.wait_for("Can simple rewards alone")
        term.keys("Enter")
        screen = term.wait_for("› Can simple rewards alone teach complex domain", "stub")
        assert "no page of its own" in screen

        # Back: the note we came from, with the related concept ahead in history.
        term.keys("[")
        screen = term.wait_for("SYNTHESIS NOTE", "+1 ahead", absent="no page of its own")
        assert "Do base models already contain hidden" in screen

        # Trace a body sentence: the statements list, then the evidence tree.
        term.keys("t")
        term.wait_for("TRACE", "Statements", "claim")
        term.keys("Down", "Down", "Enter")  # past the claim line to the second body sentence
        screen = term.wait_for(
            "Evidence · ¶2 s1", "STATEMENT ¶2 s1", "Finding 1 (Base Models paper)"
        )
        assert "Back to the walk" in screen

        term.keys("Escape")
        term.wait_for("SYNTHESIS NOTE")
        term.keys("q")
    finally:
        term.close()


def boxes_fit(screen: str, width: int = 80) -> None:
    """No line is wider than the terminal, and every box drawn has its right border."""
    for number, line in enumerate(screen.splitlines()):
        assert len(line) <= width, (number, line)
        for left, right in (("╭", "╮"), ("╰", "╯")):
            if left in line:
                assert right in line[line.index(left) :], (number, line)


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")
def test_kg_browse_at_80x24_as_a_new_user(corpus: Path, tmp_path: Path):
    """Issue 15 in a real terminal: a nonsense search says no note matches, the filter
    dialog shows Apply, F1 opens help, no box runs past column 80, and `e` hands the
    terminal to $EDITOR at the note's file and line, then comes back."""
    kg_bin = Path(sys.executable).parent / "kg"
    opened = tmp_path / "editor-args"
    editor = f"sh -c 'echo \"$0 $1\" > {opened}'"
    command = (
        f"{kg_bin} browse --corpus {corpus} --index {tmp_path / 'index'} "
        f"--export-dir {tmp_path / 'export'}"
    )
    term = Terminal(f"env TERM=xterm-256color EDITOR={shlex_quote(editor)} {command}")
    try:
        term.wait_for("seeds", "notes", "Search", "Help")
        boxes_fit(term.screen())

        term.keys("/")
        term.type("xqzvw")
        term.keys("Enter")
        screen = term.wait_for("No note matches “xqzvw”")
        boxes_fit(screen)
        term.keys("Escape")

        long_query = "why do models reason about hidden verifier rewards when sampling answers"
        term.keys("/", "C-u")
        term.type(long_query)
        term.keys("Enter")
        screen = term.wait_for("20 match “why do models", "words · score 0–1")
        boxes_fit(screen)
        assert screen.splitlines()[0].count("kg") >= 1  # the header line is still there
        term.keys("Escape")

        term.keys("/", "C-u")
        term.type("hidden reasoning")
        term.wait_for("Do base models already contain hidden reasoning ability?")
        term.keys("Down", "Enter")
        term.wait_for("SYNTHESIS NOTE")

        term.keys("f")
        screen = term.wait_for("Filter the walk", "Apply", "Clear", "Cancel")
        boxes_fit(screen)
        term.keys("Escape")
        term.wait_for("SYNTHESIS NOTE", absent="Filter the walk")

        term.keys("F1")
        screen = term.wait_for("Keys", "This list of keys", "Everywhere")
        boxes_fit(screen)
        term.keys("Escape")
        term.wait_for("SYNTHESIS NOTE", absent="This list of keys")

        term.keys("e")
        deadline = time.monotonic() + 10
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        line, path = opened.read_text(encoding="utf-8").split()
        assert line.startswith("+") and int(line[1:]) > 1
        assert Path(path).parent == corpus.resolve()
        term.wait_for("SYNTHESIS NOTE")  # back in the browser after the editor
        term.keys("q")
    finally:
        term.close()


def shlex_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
