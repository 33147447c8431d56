"""CKD-EPI 2021 eGFR, KDIGO G category, and what kidney function means for magnesium."""

from __future__ import annotations

from typing import Literal

from magtui.clinical.limits import AGE_YEARS, CREATININE, EGFR, EGFR_MIN_AGE_YEARS, InputError
from magtui.clinical.units import CreatinineUnit, creatinine_to_mg_dl, round_half_up
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.records import KidneyBand, KidneyRisk, Sex
from magtui.values import Value

EQUATION = "CKD-EPI 2021"
EGFR_UNIT = "mL/min/1.73 m²"
EQUATION_SOURCES = ("inker_2021_nejm", "nkf_ckd_epi_2021")
KDIGO_SOURCE = "kdigo_2012_ckd"

KIDNEY_SYMBOL: dict[str, str] = {"high": "⚠⚠", "caution": "⚠", "low": "✓", "unknown": "?"}
"""Shown beside the words KIDNEY RISK: …, so the risk never rests on colour alone."""


def kidney_risk_label(risk: str) -> str:
    """`⚠⚠ KIDNEY RISK: HIGH`: the words and the symbol every screen and output shows."""
    return f"{KIDNEY_SYMBOL[risk]} KIDNEY RISK: {risk.upper()}"

KdigoCategory = Literal["G1", "G2", "G3a", "G3b", "G4", "G5"]
_KDIGO: tuple[tuple[float, KdigoCategory, str], ...] = (
    (90, "G1", "normal or high"),
    (60, "G2", "mildly decreased"),
    (45, "G3a", "mildly to moderately decreased"),
    (30, "G3b", "moderately to severely decreased"),
    (15, "G4", "severely decreased"),
    (0, "G5", "kidney failure"),
)


def ckd_epi_2021(age_years: float, sex: Sex, creatinine_mg_dl: float) -> float:
    """Race-free CKD-EPI 2021 creatinine equation (Inker et al., NEJM 2021), unrounded."""
    kappa, alpha = (0.7, -0.241) if sex == "female" else (0.9, -0.302)
    ratio = creatinine_mg_dl / kappa
    egfr: float = 142 * min(ratio, 1) ** alpha * max(ratio, 1) ** -1.200 * 0.9938**age_years
    return egfr * 1.012 if sex == "female" else egfr


def kdigo_category(egfr: float) -> tuple[KdigoCategory, str]:
    """KDIGO 2012 G category; a value on an edge belongs to the higher category (≥ lower bound)."""
    for lower, category, term in _KDIGO:
        if egfr >= lower:
            return category, term
    return "G5", "kidney failure"


class KidneyAssessment(Value):
    """What is known of kidney function, and what it means for magnesium."""

    risk: KidneyRisk
    basis: Literal["egfr", "dialysis", "reported_disease", "no_information"]
    egfr: float | None
    band: KidneyBand
    egfr_computed: bool = False
    """True when `egfr` was computed from creatinine (CKD-EPI 2021), False when it was entered
    (a report, `--egfr`). Only meaningful with basis "egfr"; see `egfr_basis_text`."""

    @property
    def known(self) -> bool:
        return self.risk != "unknown"

    @property
    def headline(self) -> str:
        return self.band.headline

    @property
    def caution(self) -> str:
        return self.band.caution

    @property
    def sources(self) -> tuple[str, ...]:
        return self.band.source_ids

    @property
    def impaired(self) -> bool:
        return self.risk in ("caution", "high")


def assess_kidney(
    kb: KnowledgeBase,
    *,
    egfr: float | None = None,
    dialysis: bool = False,
    kidney_disease_reported: bool = False,
    egfr_computed: bool = False,
    age_months: int | None = None,
) -> KidneyAssessment:
    """Dialysis wins; then a measured eGFR; then reported kidney disease (at least caution).

    `egfr_computed` says the eGFR was computed from creatinine (not entered); it changes only
    how the eGFR is described (`egfr_basis_text`), never the risk. With `age_months` under
    18 years and nothing known, the caution is the child's (`for_under_18`): the one place
    the app's triage and the command line's dose both get it."""
    kidney = _assessed(kb, egfr=egfr, dialysis=dialysis,
                       kidney_disease_reported=kidney_disease_reported,
                       egfr_computed=egfr_computed)
    if age_months is not None and age_months < EGFR_MIN_AGE_YEARS * 12:
        return for_under_18(kidney)
    return kidney


def _assessed(kb: KnowledgeBase, *, egfr: float | None, dialysis: bool,
              kidney_disease_reported: bool, egfr_computed: bool) -> KidneyAssessment:
    if dialysis:
        band = kb.kidney_band("dialysis")
        return KidneyAssessment(risk=band.risk, basis="dialysis", egfr=egfr, band=band)
    if egfr is not None:
        return _from_egfr(kb, EGFR.check(egfr), computed=egfr_computed)
    if kidney_disease_reported:
        band = kb.kidney_band("reported_disease")
        return KidneyAssessment(risk=band.risk, basis="reported_disease", egfr=None, band=band)
    band = kb.kidney_band("no_information")
    return KidneyAssessment(risk=band.risk, basis="no_information", egfr=None, band=band)


def _from_egfr(kb: KnowledgeBase, egfr: float, *, computed: bool = False) -> KidneyAssessment:
    # The loader guarantees eGFR bands are contiguous from 0 and open above.
    band = next(
        band
        for band in kb.kidney
        if band.basis == "egfr"
        and band.egfr_min is not None
        and band.egfr_min <= egfr
        and (band.egfr_max is None or egfr < band.egfr_max)
    )
    return KidneyAssessment(risk=band.risk, basis="egfr", egfr=egfr, band=band,
                            egfr_computed=computed)


UNDER_18_KIDNEY_CAUTION = (
    "Kidney function unknown, and the adult CKD-EPI 2021 equation is not used under "
    f"{EGFR_MIN_AGE_YEARS:g} years, so magtui computes no eGFR from creatinine for this "
    "patient. Take an eGFR from a paediatric equation (e.g. bedside Schwartz) or from the "
    "child's clinician or lab report, and enter it directly as eGFR (F3). The kidneys are the "
    "main route for removing magnesium: do not rely on dose advice until kidney function is "
    "known."
)
"""Replaces the adult "enter eGFR or creatinine" caution for a patient under 18
(`for_under_18`). Only CKD-EPI 2021's own sources are added: they define it for adults."""


def for_under_18(kidney: KidneyAssessment) -> KidneyAssessment:
    """The assessment for a patient under 18: where nothing is known of kidney function, the
    caution says the adult equation is not used and what to enter instead. The risk, the
    basis and every other assessment are unchanged; nothing is computed."""
    if kidney.basis != "no_information":
        return kidney
    band = kidney.band
    extra = tuple(s for s in EQUATION_SOURCES if s not in band.source_ids)
    return kidney.replace(
        band=band.replace(caution=UNDER_18_KIDNEY_CAUTION, see_also=(*band.see_also, *extra)))


def for_unused_entry(kidney: KidneyAssessment, entry: str) -> KidneyAssessment:
    """Nothing is known of kidney function although a kidney value was typed: the caution
    says what was typed and why it is not used (`entry`, e.g. 'creatinine typed "95"
    (mg/dL), not accepted: …'), never that nothing was entered. The risk is unchanged;
    a child's caution (`for_under_18`), which already says what to enter, is kept."""
    if kidney.basis != "no_information" or kidney.caution == UNDER_18_KIDNEY_CAUTION:
        return kidney
    caution = (f"Kidney function unknown. Not used — {entry}. Correct it on F3: no eGFR is "
               "used until then. The kidneys are the main route for removing magnesium: do "
               "not rely on dose advice until kidney function is known.")
    return kidney.replace(band=kidney.band.replace(caution=caution))


EGFR_COMPUTED_WORDS = "computed from creatinine by the CKD-EPI 2021 equation"
EGFR_COMPUTED_SHORT = "CKD-EPI 2021"
EGFR_ENTERED_WORDS = "entered"


def egfr_basis_text(kidney: KidneyAssessment, *, short: bool = False) -> str:
    """The eGFR behind a kidney assessment and how it was obtained, e.g.
    `eGFR 45 mL/min/1.73 m² (entered), KDIGO G3a` or
    `eGFR 71.4 mL/min/1.73 m² (computed from creatinine by the CKD-EPI 2021 equation), KDIGO G2`;
    with `short` (banners): `eGFR 45 mL/min/1.73 m², entered` or
    `eGFR 71.4 mL/min/1.73 m², CKD-EPI 2021` (computed from creatinine).

    The equation is named only when the eGFR was computed. Empty when the assessment does
    not rest on an eGFR (dialysis, reported disease, nothing known)."""
    if kidney.basis != "egfr" or kidney.egfr is None:
        return ""
    if short:
        how = EGFR_COMPUTED_SHORT if kidney.egfr_computed else EGFR_ENTERED_WORDS
        return f"eGFR {kidney.egfr:g} {EGFR_UNIT}, {how}"
    how = EGFR_COMPUTED_WORDS if kidney.egfr_computed else EGFR_ENTERED_WORDS
    category, _ = kdigo_category(kidney.egfr)
    return f"eGFR {kidney.egfr:g} {EGFR_UNIT} ({how}), KDIGO {category}"


class EgfrResult(Value):
    age_years: float
    sex: Sex
    creatinine: float
    creatinine_unit: CreatinineUnit
    creatinine_mg_dl: float
    egfr_exact: float
    egfr: float
    """Rounded to 1 decimal; the category and kidney risk are read from this shown value."""
    category: KdigoCategory
    category_term: str
    kidney: KidneyAssessment
    equation: str = EQUATION
    unit: str = EGFR_UNIT

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*EQUATION_SOURCES, KDIGO_SOURCE, *self.kidney.sources)))


def check_egfr_age(age_years: float, age_text: str | None = None) -> None:
    """CKD-EPI 2021 is an adult equation: refuse an age under 18, saying what to do instead
    (`age_text` says the age as it was given, e.g. "6 months")."""
    if age_years < EGFR_MIN_AGE_YEARS:
        raise InputError(
            "age",
            f"CKD-EPI 2021 is validated for adults aged {EGFR_MIN_AGE_YEARS:g} and over; "
            f"for {age_text or f'{age_years:g} years'} use a paediatric equation "
            "(e.g. bedside Schwartz) or the child's clinician or lab report, and enter "
            "that eGFR directly",
        )


def estimate_egfr(
    kb: KnowledgeBase,
    *,
    age_years: float,
    sex: Sex,
    creatinine: float,
    unit: CreatinineUnit = "mg/dL",
) -> EgfrResult:
    """Validate inputs, compute CKD-EPI 2021, and classify the shown (1-decimal) value."""
    AGE_YEARS.check(age_years, "age")
    check_egfr_age(age_years)
    CREATININE[unit].check(creatinine, "creatinine")
    creatinine_mg_dl = creatinine_to_mg_dl(creatinine, unit)
    exact = ckd_epi_2021(age_years, sex, creatinine_mg_dl)
    shown = round_half_up(exact, 1)
    category, term = kdigo_category(shown)
    kidney = _from_egfr(kb, shown, computed=True)
    return EgfrResult(
        age_years=age_years,
        sex=sex,
        creatinine=creatinine,
        creatinine_unit=unit,
        creatinine_mg_dl=creatinine_mg_dl,
        egfr_exact=exact,
        egfr=shown,
        category=category,
        category_term=term,
        kidney=kidney,
    )
