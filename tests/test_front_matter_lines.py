"""Each link of a Markdown note's front matter is on the line that writes it (not the
front matter's first line), and a note's one-line claim on the line that states it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kg.parse.markdown import parse_markdown

NOTES = Path(__file__).resolve().parent.parent / "notes"
VAULT_NOTE = "vault/reasoning-and-sycophancy.md"


def written_on(lines: list[str], title: str) -> int:
    return next(i for i, line in enumerate(lines, 1) if title in line and "- " in line)


def test_front_matter_links_are_on_their_own_lines():
    text = (NOTES / VAULT_NOTE).read_text(encoding="utf-8")
    lines = text.split("\n")
    page = parse_markdown(text, VAULT_NOTE)
    assert page.related and page.hubs and page.papers
    for entry in [*page.related, *page.hubs, *page.papers]:
        assert entry.line == written_on(lines, entry.title), entry
    assert len({entry.line for entry in page.related}) == len(page.related)


def test_an_inline_list_and_sections_are_placed_too():
    text = (
        "---\ntitle: T\npapers: [A paper, Another]\nsections:\n  Part one:\n"
        "    - First note\n    - Second note\n---\nBody.\n"
    )
    page = parse_markdown(text, "t.md")
    assert [(p.title, p.line) for p in page.papers] == [("A paper", 3), ("Another", 3)]
    assert [(c.title, c.line) for c in page.cards] == [("First note", 6), ("Second note", 7)]


def test_unsupported_claims_give_the_claims_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "trace", "--unsupported", "--lexical", "--json",
         "--threshold", "1", "--corpus", str(NOTES), "--index", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    firsts = [u for u in found if u["claim"] == 0]
    assert firsts and all(u["line"] > 0 for u in firsts), [u for u in firsts if not u["line"]]
    for u in firsts:
        stated = (NOTES / u["file"]).read_text(encoding="utf-8").splitlines()[u["line"] - 1]
        assert stated.startswith("claim:") or u["text"][:40] in " ".join(stated.split())


def test_python_claims_give_the_claims_line(tmp_path):
    import kg

    (tmp_path / "a.md").write_text(
        "---\ntitle: Why do crowds win?\ndescription: About crowds.\n"
        "claim: independent errors cancel\n---\nCrowds win. Errors cancel.\n",
        encoding="utf-8",
    )
    g = kg.load(tmp_path, embed="none", save=False)
    first = g.claims("Why do crowds win?")[0]
    assert (first.kind, first.line) == ("claim", 4)
    assert [c.line for c in g.claims("Why do crowds win?")[1:]] == [6, 6]
    unsupported = {u.claim.text: u.claim.line for u in g.unsupported_claims(threshold=1.0)}
    assert unsupported["independent errors cancel"] == 4
