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
        screen = term.wait_for("Evidence · claim 2", "STATEMENT 2", "Finding 1 (Base Models paper)")
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
        screen = term.wait_for("20+ match “why do mod", "words · score 0–1")
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


# ---------------------------------------------------------------- the first screen


@pytest.fixture
def notes_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "notes"
    shutil.copytree(Path(__file__).resolve().parent.parent / "notes", copy)
    return copy


def browse(corpus: Path, index: Path, *options: str) -> Terminal:
    kg_bin = Path(sys.executable).parent / "kg"
    extra = " ".join(shlex_quote(o) for o in options)
    return Terminal(
        f"env TERM=xterm-256color KG_NO_WATCH=1 {kg_bin} browse --corpus {shlex_quote(str(corpus))} "
        f"--index {index} {extra}"
    )


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")
def test_first_screen_takes_keys_before_the_corpus_is_open(notes_copy: Path, tmp_path: Path):
    """`/` and a query typed as soon as the search box shows are kept, and answered once
    the corpus is open; the next start draws the overview the last one worked out, and a
    query typed there is answered too."""
    index = tmp_path / "index"
    for start in ("first", "next"):
        term = browse(notes_copy, index)
        try:
            term.wait_for("search titles")
            term.keys("/")
            term.type("verifier be trusted")
            screen = term.wait_for(
                "Titles", "Can a verifier be trusted more than the generator it checks?"
            )
            assert "verifier be trusted" in screen.splitlines()[0], start  # in the box
            term.keys("Escape")
            screen = term.wait_for("Most connected notes", absent="Titles")
            assert "41 notes" in screen, start
            term.keys("q")
        finally:
            term.close()


# ---------------------------------------------------------------- the path dialog


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")
def test_path_dialog_completes_from_inside_a_title(notes_copy: Path, tmp_path: Path):
    term = browse(
        notes_copy,
        tmp_path / "index",
        "--note",
        "Can a verifier be trusted more than the generator it checks?",
    )
    try:
        term.wait_for("SYNTHESIS NOTE", "linked directly")
        term.keys("p")
        term.wait_for("Shortest path between two notes")
        term.type("sampling many")  # the middle of a title
        screen = term.wait_for("When does sampling many answers beat thinking longer?")
        boxes_fit(screen)
        term.keys("Down", "Enter")
        screen = term.wait_for("link", "Enter on a step opens that note")
        assert "To    When does sampling many answers beat" in screen

        # A misspelt end: the titles it may mean are offered, and one is picked with keys.
        term.keys("Escape")
        term.wait_for("SYNTHESIS NOTE", absent="Shortest path")
        term.keys("p")
        term.wait_for("Shortest path between two notes")
        term.type("verifer trusted generator")
        term.keys("Enter")
        screen = term.wait_for("No note called", "Did you mean")
        term.keys("Down", "Enter")
        term.wait_for("Both ends are the same note")
        term.keys("Escape")
        term.wait_for("SYNTHESIS NOTE", absent="Shortest path")
        term.keys("q")
    finally:
        term.close()


# ---------------------------------------------------------------- the test vault

VAULT = Path(__file__).resolve().parent / "data" / "obsidian_vault"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    copy = tmp_path / "vault"
    shutil.copytree(VAULT, copy)
    return copy


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")
def test_vault_note_shows_its_heading_and_code_block(vault: Path, tmp_path: Path):
    term = browse(vault, tmp_path / "index", "--note", "Embedding notes and files")
    try:
        screen = term.wait_for("Embedding notes and files", "Embed a note in another note")
        term.keys("r")  # read: the note has the focus, the keys scroll it
        for _ in range(12):
            screen = term.screen()
            if "![[Field notes#Sampling]]" in screen:
                break
            term.keys("Down")
        assert "![[Field notes#Sampling]]" in screen, screen  # the code block's second line
        boxes_fit(screen)
        term.keys("q")
    finally:
        term.close()


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")
def test_same_named_notes_show_their_folders(vault: Path, tmp_path: Path):
    term = browse(vault, tmp_path / "index")
    try:
        term.wait_for("Most connected notes")
        term.keys("/")
        term.type("Privacy and")
        screen = term.wait_for("Privacy and storage — Sync/", "Privacy and storage — Publish/")
        boxes_fit(screen)
        term.keys("q")
    finally:
        term.close()


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")
def test_slash_hash_offers_the_tag(vault: Path, tmp_path: Path):
    term = browse(vault, tmp_path / "index")
    try:
        term.wait_for("Most connected notes")
        term.keys("/")
        term.type("#resea")
        deadline = time.monotonic() + 20
        rows: list[str] = []
        while time.monotonic() < deadline:
            rows = term.screen().splitlines()[1:]  # below the search box itself
            if any("#research" in row for row in rows):
                break
            time.sleep(0.1)
        assert any("#research" in row for row in rows), "\n".join(rows)
        term.keys("q")
    finally:
        term.close()


def footer_keys_whole(screen: str) -> None:
    """The footer's last key before the palette's is whole: its description is one the
    browser gives a key (no `x Exp` cut by the palette's key)."""
    from kg_tui.screens.help import sections

    footer = screen.splitlines()[-1]
    assert "▏^p palette" in footer, footer
    shown = footer.split("▏")[0].rstrip()
    words = {what for _, rows in sections([]) for _, what in rows}
    words |= {"Help", "Link", "Open", "Widen", "Side panel", "Walk there", "Search", "Back"}
    assert any(shown.endswith(" " + word) for word in words), footer


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")
def test_at_60_columns_the_footer_is_whole_and_the_map_names_folders(vault: Path, tmp_path: Path):
    # Without COLUMNS and LINES, which a test run may set: the app reads the pane's size.
    term = Terminal(
        f"env -u COLUMNS -u LINES TERM=xterm-256color KG_NO_WATCH=1 "
        f"{Path(sys.executable).parent / 'kg'} browse "
        f"--corpus {shlex_quote(str(vault))} --index {tmp_path / 'index'} "
        f"--note {shlex_quote('Embedding notes and files')}",
        width=60,
        height=20,
    )
    try:
        screen = term.wait_for("Embed a note in another note")
        footer_keys_whole(screen)
        boxes_fit(screen, 60)
        term.keys("m")  # the map: the two notes called "Privacy and storage" apart
        screen = term.wait_for("— Sync/", "— Publish/")
        footer_keys_whole(screen)
        term.keys("f")  # the filter: each kind's row whole
        screen = term.wait_for("Link kinds followed")
        assert "(none here)" in screen or "● links" in screen
        assert not any(line.rstrip("│ ").endswith("…") for line in screen.splitlines()), screen
        boxes_fit(screen, 60)
        term.keys("Escape", "q")
    finally:
        term.close()
