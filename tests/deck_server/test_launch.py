"""deck_server.launch: the servers the tests and benchmarks start are the Makefile's."""

from pathlib import Path

from deck_server.launch import PRESENT_OPTIONS

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


def recipe(target: str) -> str:
    """A Makefile target's rule and recipe: from `target:` to the next blank line."""
    text = MAKEFILE.read_text()
    start = text.index(f"\n{target}:")
    return text[start : text.index("\n\n", start)].replace("\\\n", " ")


def test_make_present_serves_the_lecture_as_the_presenter_tests_do():
    command = recipe("present")
    for option in PRESENT_OPTIONS:
        assert option in command.split(), option
    assert "notebooks/lecture.ipynb" in command
