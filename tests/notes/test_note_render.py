"""Markdown for the record (structure that free text cannot break) and an exact JSON twin."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from magtui.notes.errors import NoteFormatError
from magtui.notes.render import fenced, from_json, neutralise, to_json, to_markdown
from magtui.notes.session import PATIENT_REF_MAX_CHARS, SessionNote

markdown_it = pytest.importorskip("markdown_it")

# Pieces that mean something to Markdown, mixed with arbitrary text (any code point but
# unpaired surrogates), so that fences, headings and odd line breaks meet in every order.
HOSTILE = st.lists(
    st.one_of(
        st.sampled_from([
            *"`~#=-*_>[]()!<|\\ \t\n\r", "\x00", "\x1b", "\x85", "\u2028", "\u2029", "\x0b",
            "\x0c", "\x7f", "    ", "```", "~~~", "# ", "\n# ", "\n```", "\n    ```",
        ]),
        st.text(max_size=8),
    ),
    max_size=40,
).map("".join)


def _with(note: SessionNote, **fields: object) -> SessionNote:
    return note.replace(**fields)  # every check of the note runs again


Structure = tuple[list[tuple[str, str, int]], list[str], list[str]]
_REFERENCES: dict[tuple[int, str], tuple[Structure, Structure]] = {}


def _reference(
    note: SessionNote, field: str, plain: object, empty: object
) -> tuple[Structure, Structure]:
    """Structure of the note with a harmless and with an empty value (parsed once per run)."""
    key = (id(note), field)
    if key not in _REFERENCES:
        _REFERENCES[key] = (_structure(to_markdown(_with(note, **{field: plain}))),
                            _structure(to_markdown(_with(note, **{field: empty}))))
    return _REFERENCES[key]


_PARSER = markdown_it.MarkdownIt("commonmark")


def _structure(markdown: str) -> Structure:
    """As CommonMark parses it: block structure (types, tags, nesting), headings, fences."""
    tokens = _PARSER.parse(markdown)
    blocks = [(t.type, t.tag, t.level) for t in tokens]
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    fences = [t.content for t in tokens if t.type == "fence"]
    return blocks, headings, fences


# JSON ------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(text=st.text(), ref=st.none() | st.text(max_size=PATIENT_REF_MAX_CHARS))
@example(text="".join(map(chr, range(0x00, 0xA0))), ref=None)
@example(text="\U0001f9d1\u200d\u2695\ufe0f \u202eevil\u202c \r\n\u2028 \x00", ref="é-12")
def test_json_round_trip_is_exact(sample_note: SessionNote, text: str, ref: str | None) -> None:
    try:
        note = _with(sample_note, clinician_text=text, patient_ref=ref)
    except ValueError:
        return  # A patient reference with control characters is refused, tested elsewhere.
    encoded = to_json(note)
    decoded = from_json(encoded)
    assert decoded == note
    assert decoded.clinician_text == text
    assert to_json(decoded) == encoded


def test_json_round_trip_of_very_long_text(sample_note: SessionNote) -> None:
    from magtui.notes.session import CLINICIAN_TEXT_MAX_CHARS

    # The longest text allowed, of the characters that cost most in JSON (and one beyond
    # the BMP), round-trips exactly; one character more is refused, never cut.
    text = "ü\x00`" * 6_000 + "\n" * 1_999 + "\U0010ffff"
    text += "x" * (CLINICIAN_TEXT_MAX_CHARS - len(text))
    note = _with(sample_note, clinician_text=text)
    assert from_json(to_json(note)).clinician_text == text
    with pytest.raises(ValueError, match="at most 20,000 characters"):
        _with(sample_note, clinician_text=text + "x")
    too_long = json.loads(to_json(note))
    too_long["clinician_text"] += "x"
    with pytest.raises(NoteFormatError, match=r"clinician_text.*at most 20,000 characters"):
        from_json(json.dumps(too_long))


def test_json_is_plain_and_keeps_the_disclaimer(sample_note: SessionNote) -> None:
    data = json.loads(to_json(sample_note))
    assert data["schema_version"] == 1
    assert data["disclaimer"] == sample_note.disclaimer
    assert data["started_at"].endswith("+01:00")
    assert isinstance(data["findings"], dict)


def test_from_json_errors_are_one_line(sample_note: SessionNote) -> None:
    good = json.loads(to_json(sample_note))
    cases = {
        "{not json": "not valid JSON",
        "[]": "top level must be an object",
        json.dumps(good | {"schema_version": 7}): "newer than this magtui",
        json.dumps({k: v for k, v in good.items() if k != "kb_version"}): "kb_version",
        json.dumps(good | {"surprise": 1}): "surprise",
        b"\xff\xfe\x00garbage": "",
    }
    for text, expected in cases.items():
        with pytest.raises(NoteFormatError) as caught:
            from_json(text)
        assert expected in str(caught.value)
        assert "\n" not in str(caught.value)


# Markdown ---------------------------------------------------------------------------------


@settings(max_examples=250, deadline=None)
@given(text=HOSTILE)
@example(text="```\n# Fake heading\n```")
@example(text="````\n## Referral: SELF-CARE\n~~~\n<!--")
@example(text="line\r# carriage return heading")
@example(text="x\u2028# separator heading\x85# NEL heading")
@example(text="\n\n\n---\n===\n")
def test_free_text_cannot_change_the_markdown_structure(
    sample_note: SessionNote, text: str
) -> None:
    plain, empty = _reference(sample_note, "clinician_text", "plain words", "")
    blocks, headings, fences = _structure(to_markdown(_with(sample_note, clinician_text=text)))
    assert headings == empty[1]
    if text.strip():
        assert blocks == plain[0]
        # The whole text sits inside the one fence, neutralised, and nothing leaked out of it.
        assert fences == [neutralise(text).rstrip("\n") + "\n"]


@settings(max_examples=100, deadline=None)
@given(ref=st.text(alphabet=st.characters(exclude_categories=("C", "Zl", "Zp")),
                   min_size=1, max_size=PATIENT_REF_MAX_CHARS).filter(str.strip))
@example(ref="# ref")
@example(ref="*[x](http://e.g)*`")
def test_patient_reference_cannot_change_the_structure(
    sample_note: SessionNote, ref: str
) -> None:
    plain, _ = _reference(sample_note, "patient_ref", "ref", None)
    hostile = to_markdown(_with(sample_note, patient_ref=ref))
    assert _structure(hostile)[0] == plain[0]


def test_fence_outruns_every_backtick_run() -> None:
    block = fenced("a ````` b\n``")
    assert block.startswith("``````text\n") and block.endswith("\n``````")


def test_control_characters_are_visible_in_markdown_only() -> None:
    assert neutralise("a\x00b\x1bc\x7fd\x9be\tf\r\ng") == "a\u2400b\u241bc\u2421d\ufffde\tf\ng"


def test_markdown_has_what_a_record_needs(sample_note: SessionNote) -> None:
    markdown = to_markdown(sample_note)
    note = sample_note
    assert note.referral is not None and note.dose is not None
    heading = next(line for line in markdown.splitlines() if line.startswith("## Referral: "))
    assert note.referral.headline in heading
    assert note.referral.summary in heading
    # A provisional result is never shown as settled: the note says which flags are unasked.
    assert ("so far" in heading) == (note.referral.provisional
                                     and note.referral.urgency != "emergency")
    if note.referral.provisional:
        assert note.referral.unasked_note and note.referral.unasked_note in markdown
    assert note.referral.headline.upper() == note.referral.headline
    for reason in note.referral.reasons:
        assert reason in markdown
    for advice in note.referral.advice:
        assert advice.text in markdown
    kidney = note.patient.kidney
    assert kidney.egfr is not None
    assert f"eGFR: {kidney.egfr:g} mL/min/1.73 m²" in markdown
    assert "µmol/L" in markdown
    assert f"KIDNEY RISK: {kidney.kidney_risk.upper()}" in markdown
    assert f"{note.dose.elemental_mg_per_day:g} mg/day" in markdown
    assert f"supplemental UL {note.dose.ul_supplemental_mg:g} mg/day" in markdown
    assert f"{note.dose.percent_of_ul:g} % of the UL" in markdown
    assert "EXCEEDS THE UL" in markdown
    for warning in note.dose.warnings:
        assert warning.code in markdown
    assert "Red flags NOT ASKED" in markdown
    for red_flag in note.unasked_red_flags:
        assert f"({red_flag})" in markdown
    for source in note.sources:
        assert f"<{source.url}>" in markdown
    assert f"magtui {note.magtui_version}, knowledge base {note.kb_version}" in markdown
    assert "2026-11-25 17:05:12+01:00" in markdown
    assert "draft, not saved" in markdown
    assert note.disclaimer in markdown
    assert "```text\n" + note.clinician_text + "\n```" in markdown


def test_every_red_flag_asked_is_said(sample_note: SessionNote) -> None:
    note = _with(sample_note, unasked_red_flags=())
    assert "Every red flag was asked." in to_markdown(note)


def test_empty_note_renders(sample_note: SessionNote) -> None:
    bare = SessionNote(
        started_at=sample_note.started_at, updated_at=sample_note.updated_at,
        magtui_version="0.1.0", kb_version="x", disclaimer="d",
    )
    markdown = to_markdown(bare)
    assert "No triage was recorded." in markdown
    assert "No free text." in markdown
    assert "KIDNEY RISK: UNKNOWN" in markdown
