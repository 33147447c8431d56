"""Command line: argument parsing and dispatch (design.md §3).

Textual is imported only when the TUI or `serve` is started: the calculation commands stay
fast and never load it. Exit codes: 0 ok, 2 bad input (one line on stderr naming the argument),
3 invalid knowledge base (every problem listed).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias

from magtui import __version__, clock
from magtui.safe_open import shown
from magtui.text import neutralise, one_line

if TYPE_CHECKING:  # the records module loads pydantic: not needed to parse a command line
    from magtui.clinical.limits import Limit
    from magtui.knowledge.records import Condition, Sex

EXIT_OK, EXIT_INPUT, EXIT_KB = 0, 2, 3


class UsageError(Exception):
    """Bad command-line input: printed as one line, exit 2."""


_TOP, _GIVEN = "_magtui_top", "_magtui_given"
"""Namespace keys listing the options given (dest, option) before a command / within one."""


class _Once(argparse.Action):
    """Records each option given; a second use of a non-repeatable option is an error.

    argparse lets the last use win (`--egfr 90 --egfr 20` meant 20); design.md §3 says a
    repeated option exits 2. Options before a command land in `_TOP`, the command's own
    in `_GIVEN` (a subcommand parses into a fresh namespace, which then overwrites the
    top level's values: `_settle` refuses what would have been dropped that way).
    """

    key = _GIVEN

    def _record(self, namespace: argparse.Namespace, option_string: str | None) -> None:
        if option_string is None:  # a positional: parsed once by construction
            return
        given: list[tuple[str, str]] = vars(namespace).setdefault(self.key, [])
        if not isinstance(self, argparse._AppendAction) and any(
            dest == self.dest for dest, _ in given
        ):
            raise argparse.ArgumentError(
                self, "given more than once; give it once (no value silently replaces "
                "another)")
        given.append((self.dest, option_string))


class _Store(_Once, argparse._StoreAction):
    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        self._record(namespace, option_string)
        super().__call__(parser, namespace, values, option_string)


class _StoreTrue(_Once, argparse._StoreTrueAction):
    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        self._record(namespace, option_string)
        super().__call__(parser, namespace, values, option_string)


class _Append(_Once, argparse._AppendAction):
    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        self._record(namespace, option_string)
        super().__call__(parser, namespace, values, option_string)


class _TopStore(_Store):
    key = _TOP


class _TopStoreTrue(_StoreTrue):
    key = _TOP


class _TopAppend(_Append):
    key = _TOP


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit 2) instead of usage dumps, and options that are
    recorded as given (`_Once`); `top=True` for the parser that stands before a command."""

    def __init__(self, *args: Any, top: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.top = top
        store, flag, append = ((_TopStore, _TopStoreTrue, _TopAppend) if top
                               else (_Store, _StoreTrue, _Append))
        for name, action in ((None, store), ("store", store), ("store_true", flag),
                             ("append", append)):
            self.register("action", name, action)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, rest = super().parse_known_args(args, namespace)
        return (_settle(parsed) if self.top else parsed), rest


def _settle(args: argparse.Namespace) -> argparse.Namespace:
    """Refuse what argparse would silently drop or override; remove the bookkeeping."""
    top: list[tuple[str, str]] = vars(args).pop(_TOP, [])
    given: list[tuple[str, str]] = vars(args).pop(_GIVEN, [])
    command = getattr(args, "command", None)
    if command is not None:
        for dest, option in top:
            if dest != "kb":
                raise UsageError(
                    f"magtui: {option} cannot stand before the command {command!r} "
                    "(only --kb may); give the command's own options after it")
        if any(dest == "kb" for dest, _ in top) and any(dest == "kb" for dest, _ in given):
            raise UsageError("magtui: argument --kb: given more than once (before and after "
                             "the command): give it once")
    return args


# ----------------------------------------------------------------------------- parsing


def _add_patient(parser: argparse.ArgumentParser, dest_prefix: str = "") -> None:
    age = parser.add_mutually_exclusive_group()
    age.add_argument("--age", dest=f"{dest_prefix}age", metavar="YEARS", help="age in years")
    age.add_argument("--age-months", dest=f"{dest_prefix}age_months", metavar="MONTHS",
                     help="age in completed months (infants)")
    parser.add_argument("--sex", dest=f"{dest_prefix}sex", metavar="SEX",
                        help="female | male")
    state = parser.add_mutually_exclusive_group()
    state.add_argument("--pregnant", dest=f"{dest_prefix}pregnant", action="store_true")
    state.add_argument("--lactating", dest=f"{dest_prefix}lactating", action="store_true")


def _add_kidney(parser: argparse.ArgumentParser, creatinine: bool = False) -> None:
    kidney = parser.add_mutually_exclusive_group()
    kidney.add_argument("--egfr", metavar="E", help="eGFR in mL/min/1.73 m²")
    if creatinine:
        kidney.add_argument("--creatinine", metavar="X", help="serum creatinine (see --unit)")
    kidney.add_argument("--dialysis", action="store_true", help="on dialysis")
    if creatinine:
        parser.add_argument("--unit", metavar="U", help="creatinine unit: mg/dL | umol/L")


def build_parser(commands: bool = True) -> Parser:
    """The whole command line; `commands=False`: only the TUI's own options (see `parse`)."""
    parser = _tui_parser()
    if not commands:
        # Any word that is not an option's value lands here, and means "parse it all".
        parser.add_argument("command", nargs="?", help=argparse.SUPPRESS)
        return parser
    common = _common_options()
    sub = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    _add_calculators(sub, common)
    _add_triage(sub, common)
    sub.add_parser("forms", parents=[common], help="list supplement forms", allow_abbrev=False)
    sub.add_parser("findings", parents=[common], help="list triage findings",
                   allow_abbrev=False)
    _add_kb_commands(sub, common)
    _add_notes_commands(sub, common)
    _add_config_commands(sub)
    _add_serve(sub)
    return parser


_Commands: TypeAlias = "argparse._SubParsersAction[Parser]"
"""Where the subcommands of a parser are added (`add_subparsers`)."""


def _tui_parser() -> Parser:
    """The parser before any command: the TUI's options, which prefill the consultation."""
    parser = Parser(
        top=True,
        prog="magtui",
        description="Terminal clinic aid: magnesium triage, dose, kidney risk, referral. "
        "Supports a clinician's judgement; does not diagnose or prescribe. "
        "With no command, opens the consultation (TUI), optionally prefilled.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="store_true", help="print version and KB version")
    parser.add_argument("--kb", default=None, metavar="PATH", help="knowledge base file")
    _add_patient(parser)
    _add_kidney(parser, creatinine=True)
    parser.add_argument("--answer", action="append", default=[], metavar="ID",
                        help="finding present (repeatable)")
    parser.add_argument("--absent", action="append", default=[], metavar="ID",
                        help="finding asked and absent (repeatable)")
    return parser


def _common_options() -> Parser:
    """The options every command takes (a parent parser)."""
    common = Parser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON object")
    common.add_argument("--kb", default=argparse.SUPPRESS, metavar="PATH",
                        help="knowledge base file (default: $MAGTUI_KB or kb/magnesium.json)")
    return common


def _add_calculators(sub: _Commands, common: Parser) -> None:
    """`egfr`, `serum`, `intake` and `dose`: one calculation each."""
    p = sub.add_parser("egfr", parents=[common], help="CKD-EPI 2021 eGFR from creatinine",
                       allow_abbrev=False)
    p.add_argument("--age", required=True, metavar="YEARS")
    p.add_argument("--sex", required=True, metavar="SEX")
    p.add_argument("--creatinine", required=True, metavar="X")
    p.add_argument("--unit", default="mg/dL", metavar="U", help="mg/dL (default) | umol/L")

    p = sub.add_parser("serum", parents=[common], help="interpret serum magnesium",
                       allow_abbrev=False)
    p.add_argument("--value", required=True, metavar="X")
    p.add_argument("--unit", required=True, metavar="U", help="mmol/L | mg/dL | mEq/L")

    p = sub.add_parser("intake", parents=[common], help="RDA/AI and supplemental UL",
                       allow_abbrev=False)
    _add_patient(p)

    p = sub.add_parser("dose", parents=[common], help="elemental dose against RDA and UL",
                       allow_abbrev=False)
    p.add_argument("--form", required=True, metavar="F", help="supplement form id (see forms)")
    amount = p.add_mutually_exclusive_group(required=True)
    amount.add_argument("--compound-mg", metavar="X", help="mg of the salt per dose")
    amount.add_argument("--elemental-mg", metavar="X", help="mg of elemental magnesium per dose")
    p.add_argument("--times-per-day", default="1", metavar="N")
    _add_patient(p)
    _add_kidney(p)


def _add_triage(sub: _Commands, common: Parser) -> None:
    p = sub.add_parser("triage", parents=[common], help="pattern and referral from findings",
                       allow_abbrev=False)
    p.add_argument("--answer", action="append", default=[], metavar="ID")
    p.add_argument("--absent", action="append", default=[], metavar="ID")
    _add_kidney(p)
    p.add_argument("--serum", metavar="X", help="serum magnesium value")
    p.add_argument("--serum-unit", metavar="U", help="mmol/L | mg/dL | mEq/L")


def _add_kb_commands(sub: _Commands, common: Parser) -> None:
    kb = sub.add_parser("kb", help="knowledge base", allow_abbrev=False)
    kb_sub = kb.add_subparsers(dest="kb_command", parser_class=Parser, metavar="ACTION",
                               required=True)
    kb_sub.add_parser("validate", parents=[common], help="validate the KB (exit 3 if invalid)",
                      allow_abbrev=False)
    p = kb_sub.add_parser("search", parents=[common], help="search every table",
                          allow_abbrev=False)
    p.add_argument("text", nargs="+")


def _add_notes_commands(sub: _Commands, common: Parser) -> None:
    notes = sub.add_parser("notes", help="saved session notes", allow_abbrev=False)
    notes_sub = notes.add_subparsers(dest="notes_command", parser_class=Parser,
                                     metavar="ACTION", required=True)
    notes_sub.add_parser("list", parents=[common], help="saved notes, newest first",
                         allow_abbrev=False)
    p = notes_sub.add_parser("show", parents=[common],
                             help="show one note (Markdown, or --json its JSON twin)",
                             allow_abbrev=False)
    p.add_argument("note_id", metavar="ID")
    p = notes_sub.add_parser("export", parents=[common],
                             help="write one note to a new file (never overwrites)",
                             allow_abbrev=False)
    p.add_argument("note_id", metavar="ID")
    p.add_argument("--to", required=True, metavar="PATH",
                   help="file to create; an existing file is never replaced")
    p.add_argument("--format", choices=("md", "json", "fhir"), default="md",
                   help="md (default): the Markdown record | json: its JSON twin | "
                        "fhir: a FHIR R4B document Bundle (JSON)")


def _add_serve(sub: _Commands) -> None:
    p = sub.add_parser(
        "serve", help="open the consultation in a web browser (each tab its own)",
        description="Serve the consultation to a web browser through textual-serve. Each "
        "browser tab is its own consultation; notes and drafts go where the terminal's go. "
        "There is no authentication: only this machine (127.0.0.1) unless --allow-remote.",
        allow_abbrev=False)
    p.add_argument("--host", default="127.0.0.1", metavar="HOST",
                   help="address to listen on (default 127.0.0.1; any other needs "
                   "--allow-remote)")
    p.add_argument("--port", default="8000", metavar="PORT", help="port (default 8000)")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow a non-loopback --host: anyone who reaches it can open a "
                   "consultation (no authentication)")
    p.add_argument("--kb", default=argparse.SUPPRESS, metavar="PATH",
                   help="knowledge base file (default: $MAGTUI_KB or kb/magnesium.json)")


def _add_config_commands(sub: _Commands) -> None:
    config = sub.add_parser("config", help="settings: the file's path, the settings in effect",
                            allow_abbrev=False)
    config_sub = config.add_subparsers(dest="config_command", parser_class=Parser,
                                       metavar="ACTION", required=True)
    json_only = Parser(add_help=False)  # no --kb: the settings do not read the KB
    json_only.add_argument("--json", action="store_true", help="print one JSON object")
    config_sub.add_parser("path", parents=[json_only], allow_abbrev=False,
                          help="the settings file's path ($MAGTUI_CONFIG, else the platform's)")
    config_sub.add_parser("show", parents=[json_only], allow_abbrev=False,
                          help="the settings in effect, and every key (exit 2 if a setting "
                          "was refused)")


# ----------------------------------------------------------------------------- helpers


_JSON_UNSAFE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    r"\u2028\u2029\ud800-\udfff]"
)
"""What must never reach a terminal raw from JSON: controls (json.dumps escapes only C0),
bidirectional controls, line separators and lone surrogates (undecodable argv bytes)."""
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def json_safe(text: str) -> str:
    """JSON text with each control, bidi override or lone surrogate written as a `\\uXXXX`
    escape: the same JSON value, no raw control byte (such characters can only stand inside
    strings, where the escape means exactly them). Clean text is returned unchanged."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def terminal_safe(text: str) -> str:
    """Human text for the terminal: `magtui.text.neutralise`, and lone surrogates (argv
    bytes that were not UTF-8) as U+FFFD so that writing it cannot fail."""
    return _SURROGATE.sub("\ufffd", neutralise(text))


def say(text: str, end: str = "\n") -> None:
    """Write human text to stdout: every text a command prints goes through here."""
    print(terminal_safe(text), end=end)


def complain(line: str) -> None:
    """Write one line to stderr: every error message goes through here, so a value the user
    gave, a path or a file's content quoted in it reaches the terminal neutralised."""
    print(_SURROGATE.sub("\ufffd", one_line(line)), file=sys.stderr)


def _emit(args: argparse.Namespace, payload: dict[str, Any], text: str) -> int:
    if args.json:
        import json  # not needed to open the TUI

        print(json_safe(json.dumps(payload, ensure_ascii=False, indent=2)))
    else:
        say(text)
    return EXIT_OK


def _load(args: argparse.Namespace) -> Any:
    from magtui.clinical.limits import InputError
    from magtui.knowledge.loader import load_kb

    path: str | None = getattr(args, "kb", None)
    if path is not None and not path.strip():
        raise InputError("kb", "needs a file path (leave --kb out for the default KB)")
    if path is not None and "\x00" in path:
        raise InputError("kb", "a file path cannot hold a NUL character")
    return load_kb(path)


def _number(limit: Limit, text: str | None, flag: str) -> float:
    from magtui.clinical.limits import InputError

    if text is None:
        raise InputError(flag, "is required")
    return limit.parse(text, flag)


def _sex(text: str | None, flag: str = "sex") -> Sex:
    from magtui.clinical.limits import InputError

    if text is None:
        raise InputError(flag, "is required (female | male)")
    value = text.strip().casefold()
    if value == "female":
        return "female"
    if value == "male":
        return "male"
    raise InputError(flag, f"must be female or male, got {text!r}")


def _age_months(args: argparse.Namespace, prefix: str = "") -> int:
    from magtui.clinical.intake import age_to_months
    from magtui.clinical.limits import AGE_MONTHS, AGE_YEARS, InputError

    years, months = getattr(args, f"{prefix}age"), getattr(args, f"{prefix}age_months")
    if months is not None:
        return int(AGE_MONTHS.parse(months, "age-months"))
    if years is None:
        raise InputError("age", "is required (--age YEARS, or --age-months M for infants)")
    return age_to_months(AGE_YEARS.parse(years, "age"))


def _condition(args: argparse.Namespace, prefix: str = "") -> Condition:
    if getattr(args, f"{prefix}pregnant"):
        return "pregnancy"
    return "lactation" if getattr(args, f"{prefix}lactating") else "none"


def _intake(kb: Any, args: argparse.Namespace, age_months: int) -> Any:
    """The intake reference; without --sex only where the tables' rows agree for both sexes
    (`lookup_intake` decides from the KB, as the app does; otherwise --sex is asked for)."""
    from magtui.clinical.intake import lookup_intake

    sex = None if args.sex is None else _sex(args.sex)
    return lookup_intake(kb, age_months=age_months, sex=sex, condition=_condition(args))


def _egfr_value(args: argparse.Namespace) -> float | None:
    from magtui.clinical.limits import EGFR

    return None if args.egfr is None else EGFR.parse(args.egfr, "egfr")


def _review_note(kb: Any) -> str | None:
    from magtui.clinical.review import review_warning

    return review_warning(kb.meta, clock.today())


def _with_review(kb: Any, payload: dict[str, Any], text: str) -> tuple[dict[str, Any], str]:
    warning = _review_note(kb)
    payload = {**payload, "kb_version": kb.meta.kb_version, "kb_review_warning": warning}
    return payload, (f"{text}\nWARNING: {warning}" if warning else text)


# ----------------------------------------------------------------------------- commands


def cmd_egfr(args: argparse.Namespace) -> int:
    from magtui import output
    from magtui.clinical.limits import AGE_YEARS, CREATININE
    from magtui.clinical.renal import estimate_egfr
    from magtui.clinical.units import creatinine_unit

    unit = creatinine_unit(args.unit)
    age = AGE_YEARS.parse(args.age, "age")
    sex = _sex(args.sex)
    creatinine = _number(CREATININE[unit], args.creatinine, "creatinine")
    kb = _load(args)
    result = estimate_egfr(kb, age_years=age, sex=sex, creatinine=creatinine, unit=unit)
    return _emit(args, *_with_review(kb, output.egfr_json(result), output.egfr_text(kb, result)))


def cmd_serum(args: argparse.Namespace) -> int:
    from magtui import output
    from magtui.clinical.limits import SERUM_MG
    from magtui.clinical.serum import interpret_serum
    from magtui.clinical.units import serum_unit

    unit = serum_unit(args.unit)
    value = _number(SERUM_MG[unit], args.value, "value")
    kb = _load(args)
    result = interpret_serum(kb, value, unit)
    return _emit(args, *_with_review(kb, output.serum_json(result), output.serum_text(kb, result)))


def cmd_intake(args: argparse.Namespace) -> int:
    from magtui import output

    kb = _load(args)
    result = _intake(kb, args, _age_months(args))
    return _emit(args, *_with_review(kb, output.intake_json(result),
                                     output.intake_text(kb, result)))


def cmd_dose(args: argparse.Namespace) -> int:
    from magtui import output
    from magtui.clinical.dosing import calculate_dose
    from magtui.clinical.limits import COMPOUND_MG, ELEMENTAL_MG, TIMES_PER_DAY
    from magtui.clinical.renal import assess_kidney

    compound = (None if args.compound_mg is None
                else COMPOUND_MG.parse(args.compound_mg, "compound-mg"))
    elemental = (None if args.elemental_mg is None
                 else ELEMENTAL_MG.parse(args.elemental_mg, "elemental-mg"))
    times = int(TIMES_PER_DAY.parse(args.times_per_day, "times-per-day"))
    egfr = _egfr_value(args)
    kb = _load(args)
    months = _age_months(args)
    intake = _intake(kb, args, months)
    # With the age: a child's kidney caution never asks for a creatinine (as in the app).
    kidney = assess_kidney(kb, egfr=egfr, dialysis=args.dialysis, age_months=months)
    result = calculate_dose(kb, form_id=args.form, intake=intake, kidney=kidney,
                            compound_mg=compound, elemental_mg=elemental, times_per_day=times)
    return _emit(args, *_with_review(kb, output.dose_json(kb, result),
                                     output.dose_text(kb, result)))


def cmd_triage(args: argparse.Namespace) -> int:
    from magtui import output
    from magtui.clinical.limits import SERUM_MG, InputError
    from magtui.clinical.serum import interpret_serum
    from magtui.clinical.triage import evaluate, finding_states
    from magtui.clinical.units import serum_unit

    egfr = _egfr_value(args)
    if (args.serum is None) != (args.serum_unit is None):
        raise InputError("serum-unit" if args.serum is not None else "serum",
                         "--serum and --serum-unit go together")
    kb = _load(args)
    serum = None
    if args.serum is not None:
        unit = serum_unit(args.serum_unit, "serum-unit")
        serum = interpret_serum(kb, _number(SERUM_MG[unit], args.serum, "serum"), unit)
    states = finding_states(kb, args.answer, args.absent)
    result = evaluate(kb, states, egfr=egfr, dialysis=args.dialysis, serum=serum)
    return _emit(args, *_with_review(kb, output.triage_json(result),
                                     output.triage_text(kb, result)))


def cmd_forms(args: argparse.Namespace) -> int:
    from magtui import output

    kb = _load(args)
    return _emit(args, output.forms_json(kb), output.forms_text(kb))


def cmd_findings(args: argparse.Namespace) -> int:
    kb = _load(args)
    findings = [
        {"id": f.id, "label": f.label, "group": f.group, "red_flag": f.red_flag,
         "question": f.question, "source": f.source}
        for f in kb.findings.values()
    ]
    # One line per finding whatever the KB holds (a line break in a label cannot forge one).
    text = "\n".join(
        f"{one_line(f['id']):<26} {one_line(f['label'])}"
        + (f"  [red flag: {f['red_flag']}]" if f["red_flag"] else "")
        for f in findings
    )
    return _emit(args, {"findings": findings}, text)


def cmd_kb_validate(args: argparse.Namespace) -> int:
    kb = _load(args)
    counts = {table: len(records) for table, records in kb.tables().items()}
    warning = _review_note(kb)
    text = (f"{one_line(str(kb.path))}: valid — KB {kb.meta.kb_version}, "
            f"reviewed {kb.meta.reviewed}, next review {kb.meta.next_review}; "
            + ", ".join(f"{n} {t}" for t, n in counts.items()))
    if warning:
        text += f"\nWARNING: {warning}"
    payload = {"valid": True, "path": str(kb.path), "kb_version": kb.meta.kb_version,
               "counts": counts, "kb_review_warning": warning}
    return _emit(args, payload, text)


def cmd_kb_search(args: argparse.Namespace) -> int:
    from magtui.knowledge.search import search

    kb = _load(args)
    query = " ".join(args.text)
    matches = search(kb, query)
    payload = {
        "query": query,
        "matches": [{"table": m.table, "id": m.id, "title": m.title, "source": m.source}
                    for m in matches],
    }
    text = "\n".join(f"{m.table}/{one_line(m.id)}: {one_line(m.title)}"
                     + (f"  [source: {one_line(m.source)}]" if m.source else "")
                     for m in matches)
    return _emit(args, payload, text or f"no records match {query!r}")


def _urgency_word(urgency: str | None) -> str:
    from magtui.clinical.referral import URGENCY_HEADLINE

    return URGENCY_HEADLINE.get(urgency or "", "-")


def cmd_notes_list(args: argparse.Namespace) -> int:
    from magtui.notes.store import list_notes, notes_dir

    notes = list_notes()
    payload = {"notes": [
        {"id": n.note_id, "saved_at": n.saved_at.isoformat() if n.saved_at else None,
         "patient_ref": n.patient_ref, "urgency": n.urgency, "provisional": n.provisional,
         "problem": n.problem}
        for n in notes
    ]}
    # Newest first (list_notes' order); unreadable notes follow, each with its problem.
    # One line per note, whatever a note file holds (a pydantic message may quote it).
    text = "\n".join(
        f"{one_line(n.note_id)}  {n.saved_at:%Y-%m-%d %H:%M}  "
        f"{one_line(n.patient_ref or '-'):<12}  "
        f"{'so far ' if n.provisional else ''}{_urgency_word(n.urgency)}" if n.saved_at
        else f"{one_line(n.note_id)}  unreadable: {one_line(n.problem or 'unknown problem')}"
        for n in notes
    )
    return _emit(args, payload, text or f"no saved notes in {shown(notes_dir())}")


def cmd_notes_show(args: argparse.Namespace) -> int:
    from magtui.notes.render import to_json, to_markdown
    from magtui.notes.store import load_note

    note = load_note(args.note_id)
    # --json: the JSON twin exactly as saved (to_json round-trips the stored file exactly).
    if args.json:
        print(json_safe(to_json(note)), end="")
    else:
        say(to_markdown(note), end="")
    return EXIT_OK


def cmd_notes_export(args: argparse.Namespace) -> int:
    """Write one saved note to a new file: atomic, 0600, never replacing an existing file."""
    from magtui.clinical.limits import InputError
    from magtui.notes.render import to_json, to_markdown
    from magtui.notes.store import load_note, write_new_file

    raw: str = args.to
    if not raw.strip():
        raise InputError("to", "needs a file path")
    if raw.endswith(("/", os.sep)):
        raise InputError("to", f"{shown(raw)} names a folder; give the path of a new file")
    note = load_note(args.note_id)  # an unknown or malformed id fails before any writing
    if args.format == "fhir":
        # fhir.resources is heavy: imported for this format only (magtui.notes.fhir).
        from magtui.notes.fhir import to_fhir_json

        text = to_fhir_json(note)  # a note that is not valid FHIR fails before any writing
    else:
        text = to_json(note) if args.format == "json" else to_markdown(note)
    data = text.encode("utf-8")
    target = Path(raw).expanduser()
    folder = target.parent
    try:
        write_new_file(target, data)
    except FileExistsError:
        raise InputError(
            "to", f"{shown(target)} already exists; export never overwrites a file"
        ) from None
    except FileNotFoundError:
        raise InputError("to", f"the folder {shown(folder)} does not exist") from None
    except NotADirectoryError:
        raise InputError("to", f"{shown(folder)} is not a folder") from None
    except OSError as exc:
        raise InputError(
            "to", f"cannot write {shown(target)}: {exc.strerror or type(exc).__name__}"
        ) from None
    written = os.path.abspath(target)
    return _emit(args, {"id": note.note_id, "format": args.format, "path": written},
                 shown(written))


def cmd_config_path(args: argparse.Namespace) -> int:
    from magtui.settings import config_path

    path = config_path()
    return _emit(args, {"path": str(path), "exists": os.path.exists(path)}, shown(path))


def cmd_config_show(args: argparse.Namespace) -> int:
    """The settings in effect; a refused setting is named on stderr (exit 2), its default
    shown (as the app uses it)."""
    from magtui.notes.store import notes_dir
    from magtui.settings import load_settings
    from magtui.settings_report import settings_json, settings_text

    loaded = load_settings()
    _emit(args, settings_json(loaded), settings_text(loaded, shown(notes_dir())))
    if loaded.problem:
        complain(f"magtui: settings: {loaded.problem}")
        return EXIT_INPUT
    return EXIT_OK


def _warn_settings() -> None:
    """A settings file that names the notes folder and holds a mistake: said on stderr,
    never fatal (the defaults stand in, as in the app)."""
    if os.environ.get("MAGTUI_NOTES_DIR", "").strip():
        return  # the folder comes from the variable: the file is not read
    from magtui.settings import load_settings

    problem = load_settings().problem
    if problem:
        complain(f"magtui: settings: {problem} (defaults used)")


def cmd_version(args: argparse.Namespace) -> int:
    kb = _load(args)
    say(f"magtui {__version__} (KB {kb.meta.kb_version}, reviewed {kb.meta.reviewed})")
    return EXIT_OK


def _refuse_absent_answered_by_patient(kb: Any, prefill: dict[str, Any],
                                       absent: list[str]) -> None:
    """`--age 68 --absent older_adult` contradicts itself: the age answers that finding
    present (entered once, `magtui.clinical.facts`), so the --absent would be silently
    overruled. Refused instead, naming what answers it."""
    from magtui.clinical.limits import InputError
    from magtui.consultation import Consultation, evaluate_consultation

    facts = evaluate_consultation(kb, Consultation.from_prefill(prefill)).triage.from_patient
    for finding_id in absent:
        if finding_id in facts:
            raise InputError("absent", f"{finding_id!r} is answered present by the patient "
                             f"details ({facts[finding_id].because}); leave it out, or "
                             "change the value it comes from")


def cmd_tui(args: argparse.Namespace) -> int:
    """Validate any prefill exactly as the subcommands do, then start the TUI."""
    from magtui.clinical.limits import AGE_YEARS, CREATININE, InputError
    from magtui.clinical.triage import finding_states
    from magtui.clinical.units import creatinine_unit
    from magtui.knowledge.loader import KBError

    try:
        kb = _load(args)
    except KBError as exc:
        if sys.stdin.isatty() and sys.stdout.isatty():
            from magtui.ui.kb_error import KBErrorApp

            KBErrorApp(str(exc.path), exc.problems).run()
        raise  # main() lists every problem on stderr and exits 3
    from magtui.settings import load_settings

    # Never raises: the app names what it refused. `--creatinine` without `--unit` is in the
    # unit the settings preselect on F3 (a UK clinician's "95" is µmol/L).
    settings = load_settings()
    prefill: dict[str, Any] = {}
    if args.age is not None:
        prefill["age_years"] = AGE_YEARS.parse(args.age, "age")
    if args.age_months is not None:
        prefill["age_months"] = _age_months(args)
    if args.sex is not None:
        prefill["sex"] = _sex(args.sex)
    prefill["condition"] = _condition(args)
    if args.egfr is not None:
        prefill["egfr"] = _egfr_value(args)
    if args.creatinine is not None:
        unit = creatinine_unit(args.unit or settings.settings.creatinine_unit)
        prefill["creatinine"] = CREATININE[unit].parse(args.creatinine, "creatinine")
        prefill["creatinine_unit"] = unit
    elif args.unit is not None:
        raise InputError("unit", "goes with --creatinine")
    prefill["dialysis"] = args.dialysis
    prefill["states"] = finding_states(kb, args.answer, args.absent)
    if args.absent:
        _refuse_absent_answered_by_patient(kb, prefill, args.absent)

    from magtui.ui.app import run  # Textual is imported here and only here.

    return run(kb=kb, prefill=prefill, settings=settings)


def cmd_serve(args: argparse.Namespace) -> int:
    """Check the address and the KB, then serve the TUI to browsers (Textual and the web
    server are imported only past these checks, in magtui.serve.run)."""
    from magtui import serve

    port = serve.parse_port(args.port)
    warning = serve.check_host(args.host, port, allow_remote=args.allow_remote)
    _load(args)  # an invalid KB exits 3 here, not in every browser tab
    if warning is not None:
        complain(warning)
    return serve.run(host=args.host, port=port, kb=getattr(args, "kb", None),
                     loopback_only=warning is None)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "egfr": cmd_egfr,
    "serum": cmd_serum,
    "intake": cmd_intake,
    "dose": cmd_dose,
    "triage": cmd_triage,
    "forms": cmd_forms,
    "findings": cmd_findings,
    "serve": cmd_serve,
}


NOTES_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "list": cmd_notes_list,
    "show": cmd_notes_show,
    "export": cmd_notes_export,
}


def dispatch(args: argparse.Namespace) -> int:
    if args.version:
        return cmd_version(args)
    if args.command is None:
        return cmd_tui(args)
    if args.command == "kb":
        return cmd_kb_validate(args) if args.kb_command == "validate" else cmd_kb_search(args)
    if args.command == "notes":
        _warn_settings()
        return NOTES_COMMANDS[args.notes_command](args)
    if args.command == "config":
        return cmd_config_path(args) if args.config_command == "path" else cmd_config_show(args)
    return COMMANDS[args.command](args)


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line; opening the TUI skips building the ten subcommand parsers.

    The TUI is the start clinicians wait for: building every subcommand parser costs ~5 ms
    there. Anything the short parser does not fully account for (a command word, an unknown
    option, an error, help) is parsed again by the full parser, so errors and help are the
    same as ever.
    """
    words = list(sys.argv[1:] if argv is None else argv)
    if not {"-h", "--help"} & set(words):
        try:
            args, rest = build_parser(commands=False).parse_known_args(words)
        except UsageError:
            pass  # e.g. a subcommand's option without its value: the full parser says so
        else:
            if args.command is None and not rest:
                return args
    return build_parser().parse_args(words)


def main(argv: Sequence[str] | None = None) -> int:
    from magtui.clinical.limits import InputError
    from magtui.knowledge.cache import CacheSettingError
    from magtui.knowledge.loader import KBError
    from magtui.notes.errors import NoteError

    try:
        return dispatch(parse(argv))
    except (UsageError, CacheSettingError) as exc:
        complain(str(exc))
        return EXIT_INPUT
    except InputError as exc:
        complain(f"magtui: --{exc.field}: {exc.message}")
        return EXIT_INPUT
    except KBError as exc:
        complain(f"magtui: the knowledge base is invalid ({len(exc.problems)} problem(s)):")
        for problem in exc.problems:
            complain(f"  {problem}")
        return EXIT_KB
    except NoteError as exc:
        complain(f"magtui: note: {exc}")
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
