"""Clinician-facing KB text says what the evidence is, in clinical words (issue 10).

Internal remarks about the program or about checking ("not re-verified", "a magtui design
choice", "magtui does not invent one") belong in `meta.to_verify` for maintainers, never in
text a clinician reads. Covers the tables whose wording this check owns: meta.follows,
kidney, serum_bands, intake notes, forms and interactions.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from magtui.knowledge.base import KnowledgeBase

INTERNAL_REMARKS = (
    "not re-verified", "re-verified", "design choice", "design decision",
    "does not suggest doses", "gives no iv doses", "does not invent", "none is invented",
    "not invented", "bnf-derived", "shows the wider", "used here", "magtui",
)


def clinical_texts(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    for text in kb.meta.follows:
        yield "meta.follows", text
    for band in kb.kidney:
        yield f"kidney.{band.id}", band.headline
        yield f"kidney.{band.id}", band.caution
    for serum in kb.serum_bands:
        yield f"serum_bands.{serum.id}", serum.label
        yield f"serum_bands.{serum.id}", serum.action
    for row in kb.intake:
        if row.note:
            yield f"intake.{row.id}", row.note
    for form in kb.forms.values():
        for text in (form.name, form.formula, form.absorption, form.variability_note or ""):
            yield f"forms.{form.id}", text
    for interaction in kb.interactions.values():
        for text in (interaction.label, interaction.examples, interaction.effect,
                     interaction.advice):
            yield f"interactions.{interaction.id}", text


def test_no_internal_remarks_in_clinical_text(kb: KnowledgeBase) -> None:
    found = [(where, remark) for where, text in clinical_texts(kb)
             for remark in INTERNAL_REMARKS if remark in text.casefold()]
    assert found == []


def test_the_texts_are_really_read(kb: KnowledgeBase) -> None:
    # Guard against the check above passing on nothing.
    places = {where.split(".")[0] for where, _ in clinical_texts(kb)}
    assert places == {"meta", "kidney", "serum_bands", "intake", "forms", "interactions"}


@pytest.mark.parametrize("interaction_id", ["bisphosphonates", "tetracyclines", "quinolones",
                                            "levothyroxine"])
def test_interaction_advice_still_names_the_wider_spacing(kb: KnowledgeBase,
                                                          interaction_id: str) -> None:
    interaction = kb.interactions[interaction_id]
    hours = f"{interaction.separation_hours_before:g} hours"
    assert hours in interaction.advice
    assert interaction.source in kb.sources


def test_caution_band_says_which_source_it_follows(kb: KnowledgeBase) -> None:
    kidney_follows = [t for t in kb.meta.follows if t.startswith("Kidney:")]
    assert len(kidney_follows) == 1
    assert "set conservatively" in kidney_follows[0] and "BNF" in kidney_follows[0]
    caution = next(b for b in kb.kidney if b.id == "caution")
    assert "BNF" in caution.caution and "bnf_magnesium" in caution.source_ids


def test_variability_notes_leave_the_label_rule_to_one_place(kb: KnowledgeBase) -> None:
    # The label rule is said once, from the KB advice `label_elemental_wins`, beside the note.
    for form in kb.forms.values():
        assert "printed on the label" not in (form.variability_note or "")
    assert "label" in kb.advice["label_elemental_wins"].text
