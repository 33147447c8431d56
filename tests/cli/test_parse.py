"""The TUI's short parser gives exactly what the full parser gives, results and errors alike."""

from __future__ import annotations

import argparse

import pytest

from magtui.cli import UsageError, build_parser, parse

ARGVS = [
    [],
    ["--age", "40", "--sex", "female"],
    ["--age-months", "5", "--egfr", "21", "--answer", "cramps_spasms", "--absent", "seizure"],
    ["--creatinine", "1.2", "--unit", "mg/dL", "--pregnant"],
    ["--dialysis", "--kb", "other.json"],
    ["--version"],
    ["--kb", "x.json", "dose", "--form", "citrate", "--compound-mg", "500"],
    ["dose", "--form", "citrate", "--compound-mg", "500", "--age", "40", "--egfr", "30"],
    ["triage", "--answer", "cramps_spasms", "--serum", "0.6", "--serum-unit", "mmol/L"],
    ["egfr", "--age", "40", "--sex", "male", "--creatinine", "1"],
    ["kb", "search", "kidney", "stones"],
    ["notes", "show", "20261125-171530-a1b2c3"],
    # errors: the full parser's wording (and prog) must win over the short parser's
    ["--age"],
    ["--bogus"],
    ["--egfr", "20", "--dialysis"],
    ["--pregnant", "--lactating"],
    ["dose", "--age"],
    ["dose", "--form", "x", "--egfr", "1", "--dialysis"],
    ["egfr", "--age", "40", "--sex", "male", "--creatinine", "1", "--unit"],
    ["dos"],
    ["40"],
    ["--answer"],
]


def _outcome(run: object) -> tuple[str, object]:
    try:
        return "ok", vars(run())  # type: ignore[operator]
    except UsageError as exc:
        return "error", str(exc)


@pytest.mark.parametrize("argv", ARGVS, ids=" ".join)
def test_parse_matches_the_full_parser(argv: list[str]) -> None:
    expected = _outcome(lambda: build_parser().parse_args(argv))
    got = _outcome(lambda: parse(argv))
    assert got == expected


def test_the_tui_options_take_the_short_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening the TUI never builds the subcommand parsers (the point of `parse`)."""
    built: list[bool] = []
    original = build_parser

    def spy(commands: bool = True) -> argparse.ArgumentParser:
        built.append(commands)
        return original(commands)

    monkeypatch.setattr("magtui.cli.build_parser", spy)
    assert parse(["--age", "79", "--egfr", "21"]).age == "79"
    assert built == [False]
    built.clear()
    assert parse(["forms"]).command == "forms"
    assert built == [False, True]
