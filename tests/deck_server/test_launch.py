"""deck_server.launch: the servers the tests and benchmarks start are the Makefile's."""

import socket
from pathlib import Path

from deck_server.launch import PRESENT_OPTIONS, first_ephemeral_port, free_port

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


def test_a_free_port_is_bindable_new_and_outside_the_range_of_outgoing_connections():
    # Outgoing connections take their local port from the ephemeral range: one took a port
    # the hub had been given, between its check and the hub's bind.
    first_ephemeral = first_ephemeral_port()
    ports = [free_port() for _ in range(20)]
    assert len(set(ports)) == len(ports), ports
    for port in ports:
        assert port < first_ephemeral, (port, first_ephemeral)
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_a_port_something_listens_on_is_not_given():
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        taken = listening.getsockname()[1]
        assert taken not in {free_port() for _ in range(200)}
