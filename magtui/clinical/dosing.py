"""Elemental magnesium dose against the RDA and the supplemental UL, with kidney warnings."""

from __future__ import annotations

from typing import Literal

from magtui.clinical.intake import IntakeResult
from magtui.clinical.limits import COMPOUND_MG, ELEMENTAL_MG, TIMES_PER_DAY, InputError
from magtui.clinical.renal import KidneyAssessment
from magtui.clinical.units import elemental_mg_to_mmol, round_half_up
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.records import SupplementForm
from magtui.values import Value

TOXICITY_MG_PER_DAY = 5000
"""ODS: very large doses (typically over 5,000 mg/day, laxatives/antacids) have caused toxicity."""
FACT_SHEET = "ods_magnesium"
WARNING_LEVELS = ("danger", "caution", "info")
LABEL_RULE_ADVICE = "label_elemental_wins"
ADULT_FROM_MONTHS = 18 * 12
RENAL_ADVICE = {"high": "kidney_high_above_ul", "caution": "renal_dose_reduction"}
"""What a dose above the UL means with reduced (caution) or failing (high) kidneys."""
"""Under 18 years (completed months of the intake row's age) a dose is a child's dose."""



class DoseWarning(Value):
    code: str
    text: str
    source: str
    level: Literal["danger", "caution", "info"] = "caution"
    see_also: tuple[str, ...] = ()
    """Further sources the text draws on (the KB ids behind a figure or a rule)."""


class DoseResult(Value):
    form: SupplementForm
    entered_as: Literal["compound", "elemental"]
    entered_mg: float
    times_per_day: int
    elemental_mg_per_dose_exact: float
    intake: IntakeResult
    kidney: KidneyAssessment
    warnings: tuple[DoseWarning, ...]

    @property
    def elemental_mg_per_day_exact(self) -> float:
        return self.elemental_mg_per_dose_exact * self.times_per_day

    @property
    def elemental_mg_per_dose(self) -> float:
        return round_half_up(self.elemental_mg_per_dose_exact, 1)

    @property
    def elemental_mg_per_day(self) -> float:
        return round_half_up(self.elemental_mg_per_day_exact, 1)

    @property
    def mmol_per_day(self) -> float:
        return round_half_up(elemental_mg_to_mmol(self.elemental_mg_per_day_exact), 1)

    @property
    def ul_supplemental_mg(self) -> float | None:
        return self.intake.ul_supplemental_mg

    @property
    def percent_of_ul(self) -> float | None:
        ul = self.ul_supplemental_mg
        return None if ul is None else round_half_up(self.elemental_mg_per_day_exact / ul * 100, 1)

    @property
    def exceeds_ul(self) -> bool:
        ul = self.ul_supplemental_mg
        return ul is not None and self.elemental_mg_per_day_exact > ul

    @property
    def percent_of_reference(self) -> float:
        """Share of the RDA (or AI) this supplement alone supplies; the RDA counts food too."""
        return round_half_up(
            self.elemental_mg_per_day_exact / self.intake.reference_mg * 100, 1
        )

    @property
    def for_child(self) -> bool:
        """Under 18: adult replacement figures never apply."""
        return self.intake.age_months < ADULT_FROM_MONTHS

    @property
    def sources(self) -> tuple[str, ...]:
        ids = [*self.form.source_ids, *self.intake.sources, *self.kidney.sources]
        for warning in self.warnings:
            ids += [warning.source, *warning.see_also]
        return tuple(dict.fromkeys(ids))


def calculate_dose(
    kb: KnowledgeBase,
    *,
    form_id: str,
    intake: IntakeResult,
    kidney: KidneyAssessment,
    compound_mg: float | None = None,
    elemental_mg: float | None = None,
    times_per_day: int = 1,
) -> DoseResult:
    form = kb.forms.get(form_id)
    if form is None:
        raise InputError("form", f"unknown supplement form {form_id!r}; see `magtui forms`")
    if (compound_mg is None) == (elemental_mg is None):
        raise InputError("compound-mg", "give exactly one of --compound-mg and --elemental-mg")
    TIMES_PER_DAY.check(times_per_day, "times-per-day")
    if compound_mg is not None:
        COMPOUND_MG.check(compound_mg, "compound-mg")
        entered_as: Literal["compound", "elemental"] = "compound"
        entered, per_dose = compound_mg, compound_mg * form.elemental_fraction
    else:
        assert elemental_mg is not None
        ELEMENTAL_MG.check(elemental_mg, "elemental-mg")
        entered_as, entered, per_dose = "elemental", elemental_mg, elemental_mg
    result = DoseResult(
        form=form,
        entered_as=entered_as,
        entered_mg=entered,
        times_per_day=int(times_per_day),
        elemental_mg_per_dose_exact=per_dose,
        intake=intake,
        kidney=kidney,
        warnings=(),
    )
    # Warnings read the computed figures, so they are attached to the finished result.
    # Most serious first (danger, caution, info); the stable sort keeps the order below
    # within a level.
    ordered = sorted(_warnings(kb, result), key=lambda w: WARNING_LEVELS.index(w.level))
    finished: DoseResult = result.replace(warnings=tuple(ordered))
    return finished


def _advice(kb: KnowledgeBase, advice_id: str) -> tuple[str, str]:
    # The loader guarantees these ids (vocabulary.ENGINE_ADVICE_IDS): never a blank warning.
    advice = kb.advice[advice_id]
    return advice.text, advice.source


def label_rule(kb: KnowledgeBase) -> tuple[str, str]:
    """(text, source) of the rule that a label's printed elemental figure wins over the
    computed fraction (KB advice `label_elemental_wins`)."""
    return _advice(kb, LABEL_RULE_ADVICE)


def fraction_basis_text(form: SupplementForm) -> str:
    """The elemental share and the formula (hydrate) it is computed for, e.g.
    `16.2 % elemental, computed for Mg₃(C₆H₅O₇)₂ (trimagnesium citrate, anhydrous)`."""
    return f"{form.elemental_fraction * 100:.1f} % elemental, computed for {form.formula}"


def _sentences(*parts: str) -> str:
    """Join KB sentences, adding the full stop a headline lacks."""
    return " ".join(p if p.rstrip().endswith((".", "!", "?")) else f"{p}." for p in parts if p)


def _over_ul_text(kb: KnowledgeBase, dose: DoseResult, ul: float) -> tuple[str, tuple[str, ...]]:
    """What a dose above the UL means for this patient: age-appropriate, kidney-aware.

    Children never see an adult replacement figure; with kidney risk high no dose figure is
    given at all; with caution or high the reduction in renal impairment is said. Returns the
    text and the sources it draws on beyond the fact sheet."""
    intake = dose.intake
    parts = [
        f"{dose.elemental_mg_per_day:g} mg/day elemental magnesium is {dose.percent_of_ul:g} % "
        f"of the supplemental UL for {intake.life_stage} ({ul:g} mg/day, from supplements and "
        "medicines)."
    ]
    see_also: list[str] = list(intake.sources)
    risk = dose.kidney.risk
    advice_ids: list[str] = []
    if dose.for_child:
        advice_ids.append("above_ul_child")
    elif risk != "high":  # with failing kidneys no replacement figure is quoted at all
        advice_ids.append("therapeutic_doses_doctor")
    if risk in RENAL_ADVICE:
        advice_ids.append(RENAL_ADVICE[risk])
    for advice_id in advice_ids:
        advice = kb.advice[advice_id]
        parts.append(advice.text)
        see_also += advice.source_ids
    return _sentences(*parts), tuple(dict.fromkeys(s for s in see_also if s != FACT_SHEET))


def _warnings(kb: KnowledgeBase, dose: DoseResult) -> list[DoseWarning]:
    """Most dangerous first: kidney, then the UL, then how far to trust the percentage."""
    out: list[DoseWarning] = []
    kidney = dose.kidney
    kidney_text = _sentences(kidney.headline, kidney.caution)
    if kidney.risk == "high":
        out.append(DoseWarning(code="kidney_high", text=f"KIDNEY RISK: HIGH. {kidney_text}",
                               source=kidney.band.source, level="danger"))
    elif kidney.risk == "caution":
        out.append(DoseWarning(code="kidney_caution",
                               text=f"KIDNEY RISK: CAUTION. {kidney_text}",
                               source=kidney.band.source, level="caution"))
    elif kidney.risk == "unknown":
        out.append(DoseWarning(code="kidney_unknown", text=kidney_text,
                               source=kidney.band.source, level="info"))

    per_day = dose.elemental_mg_per_day
    ul = dose.ul_supplemental_mg
    if ul is None:
        text, source = _advice(kb, "no_ul_infants")
        out.append(DoseWarning(code="no_ul_for_age", text=text, source=source,
                               level="caution", see_also=dose.intake.sources))
    elif dose.exceeds_ul:
        text, see_also = _over_ul_text(kb, dose, ul)
        out.append(DoseWarning(code="exceeds_ul", text=text, source=FACT_SHEET, level="danger",
                               see_also=see_also))
    if dose.elemental_mg_per_day_exact > TOXICITY_MG_PER_DAY:
        out.append(DoseWarning(
            code="toxicity_range",
            text=f"{per_day:g} mg/day is above {TOXICITY_MG_PER_DAY:,} mg/day, the range in "
            "which magnesium toxicity has been reported (some cases fatal).",
            source=FACT_SHEET,
            level="danger",
        ))
    if dose.entered_as == "compound" and dose.form.confidence != "high":
        text, source = label_rule(kb)
        form = dose.form
        out.append(DoseWarning(
            code="label_elemental_wins",
            text=_sentences(f"{form.name}: {fraction_basis_text(form)} ({form.confidence} "
                            "confidence)", form.variability_note or "", text),
            source=source,
            level="info",
            see_also=form.source_ids,
        ))
    return out
