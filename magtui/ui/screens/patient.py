"""F3 — patient and kidney: age, sex, pregnancy/lactation, eGFR or creatinine, dialysis.

The form only collects inputs. Every figure shown (eGFR, KDIGO category, intake reference,
kidney caution) is read from `app.results`, which `magtui.clinical` computed.
A field that is invalid, or that conflicts with its alternative (age in years *or* months,
eGFR *or* creatinine), is stored as None so nothing is computed from it, and the field says
why in the words of its `Limit`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import ClassVar, TypeVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.widgets import Checkbox, Input, Label, RadioButton, RadioSet, Static

from magtui.clinical.limits import (
    AGE_MONTHS,
    AGE_YEARS,
    CREATININE,
    EGFR,
    EGFR_MIN_AGE_YEARS,
    SERUM_MG,
    Limit,
)
from magtui.clinical.serum import conversions_text
from magtui.clinical.units import CreatinineUnit, SerumUnit
from magtui.consultation import Consultation, PatientInputs, Results, SerumInputs
from magtui.knowledge.records import Condition, Sex
from magtui.notes.session import PATIENT_REF_MAX_CHARS, check_patient_ref
from magtui.ui.screens.base import CSS_DIR, AreaScreen, InvalidField
from magtui.ui.validators import (
    LimitValidator,
    brief_reason,
    number_text,
    parse_or_error,
    unit_alternatives,
    unit_hint,
)
from magtui.ui.widgets.fields import (
    FieldInput,
    HelpCheckbox,
    HelpRadioSet,
    MarkedRadioButton,
    cursor_blink,
    invalid_text,
    show_field_errors,
    sync_as_typed,
    typed_already,
    typed_in,
    with_typed,
)
from magtui.ui.widgets.kidney_banner import banner_text

U = TypeVar("U", bound=str)
NARROW_WIDTH = 90
SEXES: tuple[Sex, ...] = ("female", "male")
CONDITIONS: tuple[Condition, ...] = ("none", "pregnancy", "lactation")
CONDITION_WORDS = {"none": "none", "pregnancy": "pregnant", "lactation": "lactating"}
CREATININE_UNITS = cast("tuple[CreatinineUnit, ...]", tuple(CREATININE))
SERUM_UNITS = cast("tuple[SerumUnit, ...]", tuple(SERUM_MG))
"""Stored unit ids; each `Limit` says how its unit is written (µmol/L, not umol/L)."""

# Which field shows a `Results.problems` entry (keys are InputError field names).
PROBLEM_SLOTS = {
    "age": "age-years",
    "age-months": "age-months",
    "sex": "sex",
    "pregnant": "condition",
    "lactating": "condition",
    "egfr": "egfr",
    "creatinine": "creatinine",
    "serum": "serum",
}


def _range(limit: Limit) -> str:
    return f"{limit.minimum:g}–{limit.maximum:g} {limit.unit}"


def _error_slot(field_id: str) -> Static:
    """Where the field's error is shown (`show_field_errors`)."""
    return Static(id=f"{field_id}-error", classes="field-error")


FIELDS = ("age-years", "age-months", "egfr", "creatinine", "serum", "patient-ref")
"""Fields whose invalid text a draft keeps (`Consultation.typed`)."""
FIELD_NAMES = {
    "age-years": "Age", "age-months": "Age in months", "egfr": "eGFR",
    "creatinine": "Creatinine", "serum": "Serum Mg", "patient-ref": "Patient ref",
}
"""How a leaving notice names each field (`invalid_fields`)."""

SWITCH_UNIT_KEY = "ctrl+o"
"""Switches a refused value's unit to the one it is plausible in. Free everywhere on F3:
Input binds ctrl+a/c/d/e/k/u/v/w/x, the app F1–F9, ctrl+s/q/p, tab and escape."""
UNIT_SETS = {"creatinine": "creatinine-unit", "serum": "serum-unit"}
"""Each number field with a unit choice, and its RadioSet."""


class PatientScreen(AreaScreen):
    CSS_PATH = CSS_DIR / "patient.tcss"
    AREA_TITLE = "F3 Patient & kidney"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(SWITCH_UNIT_KEY, "switch_unit", "Switch unit", id="patient.switch_unit",
                show=False, tooltip="Switch a refused creatinine or serum Mg value to the "
                                    "unit it is plausible in (when its message offers it)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._local_errors: dict[str, str] = {}
        self._serum = SerumInputs()
        self._unit_offers: dict[str, list[str]] = {}
        """Field id → the other units its refused value is plausible in (`unit_hint`)."""

    # ------------------------------------------------------------------ layout

    def body(self) -> ComposeResult:
        self._preferred_units()
        # Side by side when wide; stacked in one scroll when narrow (see `on_resize`).
        with VerticalScroll(id="patient-columns"):
            with VerticalScroll(id="patient-form"):
                yield from self._age_rows()
                yield from self._sex_and_condition_rows()
                # Results sit under the inputs they come from, so they stay on screen at 80×24.
                yield Static(id="intake-result", classes="result-line")
                yield from self._kidney_rows()
                yield Static(id="egfr-result", classes="result-line")
                yield from self._serum_rows()
                yield Static(id="serum-result", classes="result-line")
                yield from self._patient_ref_row()
            with VerticalScroll(id="patient-results"):
                yield Static(id="kidney-result")
                yield Static(id="intake-note")
                yield Static(id="patient-sources")

    def _preferred_units(self) -> None:
        """The settings' units (`creatinine_unit`, `serum_unit`) preselect each unit choice
        whose value is still empty. A preference, not an input: set without `update`, so it
        is neither unsaved nor autosaved (a note records a unit only with its value)."""
        consultation, settings = self.magtui.consultation, self.magtui.settings
        patient, serum, typed = consultation.patient, consultation.serum, consultation.typed
        if (patient.creatinine is None and not typed.get("creatinine", "").strip()
                and patient.creatinine_unit == PatientInputs.creatinine_unit):
            consultation.patient = replace(patient, creatinine_unit=settings.creatinine_unit)
        if (serum.value is None and not typed.get("serum", "").strip()
                and serum.unit == SerumInputs.unit):
            consultation.serum = replace(serum, unit=settings.serum_unit)

    def _field_input(self, field_id: str, value: float | None, limit: Limit | None,
                     help_text: str, placeholder: str = "") -> FieldInput:
        """A number field, showing the text typed before (a draft's) or else the value."""
        return FieldInput(
            id=field_id, value=self.magtui.consultation.typed.get(field_id, number_text(value)),
            placeholder=placeholder,
            validators=[LimitValidator(limit)] if limit else None, valid_empty=True,
            compact=True, cursor_blink=cursor_blink(self), help_text=help_text,
            classes="field-input",
        )

    def _age_rows(self) -> ComposeResult:
        patient = self.magtui.consultation.patient
        with Horizontal(classes="field-row"):
            yield Label("Age", classes="field-label")
            yield self._field_input(
                "age-years", patient.age_years, AGE_YEARS,
                f"Age in years ({_range(AGE_YEARS)}). eGFR by CKD-EPI 2021 needs an "
                "adult age and sex. For infants give age in months instead (not both).",
                "years",
            )
            yield Label("years", classes="field-unit")
        yield _error_slot("age-years")
        with Horizontal(classes="field-row"):
            yield Label("or age", classes="field-label")
            yield self._field_input(
                "age-months", patient.age_months, AGE_MONTHS,
                f"Age in completed months for infants ({_range(AGE_MONTHS)}). "
                "The intake tables are keyed by months. Give years or months, not both.",
                "months",
            )
            yield Label("months (infants)", classes="field-unit")
        yield _error_slot("age-months")

    def _sex_and_condition_rows(self) -> ComposeResult:
        patient = self.magtui.consultation.patient
        with Horizontal(classes="field-row"):
            yield Label("Sex", classes="field-label")
            yield HelpRadioSet(
                *(MarkedRadioButton(sex, patient.sex == sex) for sex in SEXES),
                id="sex", compact=True, classes="field-choice",
                help_text="Sex for the CKD-EPI 2021 equation and the intake tables (not "
                          "needed for intake where the tables are the same for both "
                          "sexes). Arrow keys move, Enter or Space chooses.",
            )
        yield _error_slot("sex")
        with Horizontal(classes="field-row"):
            yield Label("Pregnancy", classes="field-label")
            yield HelpRadioSet(
                *(MarkedRadioButton(CONDITION_WORDS[condition], patient.condition == condition)
                  for condition in CONDITIONS),
                id="condition", compact=True, classes="field-choice",
                help_text="Pregnancy or lactation selects its own row of the intake "
                          "tables (RDA and UL); it applies only with sex female.",
            )
        yield _error_slot("condition")

    def _kidney_rows(self) -> ComposeResult:
        patient = self.magtui.consultation.patient
        with Horizontal(classes="field-row -group"):
            yield Label("eGFR", classes="field-label")
            yield self._field_input(
                "egfr", patient.egfr, EGFR,
                f"eGFR from a report ({_range(EGFR)}). Or leave it empty and give "
                "creatinine: magtui then computes eGFR by CKD-EPI 2021. Not both.",
                "if known",
            )
            yield Label(f"{EGFR.unit} — or:", classes="field-unit")
        yield _error_slot("egfr")
        with Horizontal(classes="field-row"):
            yield Label("Creatinine", classes="field-label")
            yield self._field_input(
                "creatinine", patient.creatinine, CREATININE[patient.creatinine_unit],
                "Serum creatinine, in the unit chosen beside it "
                f"({_range(CREATININE['mg/dL'])} or {_range(CREATININE['umol/L'])}). "
                "eGFR is computed by CKD-EPI 2021 for adults (18 years or over). "
                "A value that fits only the other unit is refused, and the message says "
                f"so: **{self._key()}** then switches the unit; nothing switches by itself.",
                "value",
            )
            yield HelpRadioSet(
                *(MarkedRadioButton(CREATININE[unit].unit, patient.creatinine_unit == unit)
                  for unit in CREATININE_UNITS),
                id="creatinine-unit", compact=True, classes="field-choice",
                help_text="Unit of the creatinine value: mg/dL or µmol/L "
                          "(88.4 µmol/L per mg/dL).",
            )
        yield _error_slot("creatinine")
        with Horizontal(classes="field-row"):
            yield Label("", classes="field-label")
            yield HelpCheckbox(
                "On dialysis", patient.dialysis, id="dialysis", compact=True,
                help_text="Tick when the patient is on dialysis: the kidney "
                          "assessment then uses the dialysis band, whatever the eGFR.",
            )

    def _serum_rows(self) -> ComposeResult:
        serum = self.magtui.consultation.serum
        with Horizontal(classes="field-row -group"):
            yield Label("Serum Mg", classes="field-label")
            yield self._field_input(
                "serum", serum.value, SERUM_MG[serum.unit],
                "Serum magnesium from a report, in the unit chosen beside it "
                f"({_range(SERUM_MG['mmol/L'])}, {_range(SERUM_MG['mg/dL'])} or "
                f"{_range(SERUM_MG['mEq/L'])}). Classified on the unrounded mmol/L "
                "value into adult, non-obstetric bands. A value that fits only another "
                f"unit is refused, and the message says so: **{self._key()}** then "
                "switches the unit; nothing switches by itself.",
                "if known",
            )
            yield Label("(unit below)", classes="field-unit")
        with Horizontal(classes="field-row"):
            # The three units do not fit beside the value in the form's column.
            yield Label("", classes="field-label")
            yield HelpRadioSet(
                *(MarkedRadioButton(unit, serum.unit == unit) for unit in SERUM_UNITS),
                id="serum-unit", compact=True, classes="field-choice",
                help_text="Unit of the serum magnesium value: mmol/L, mg/dL "
                          "(÷ 2.4305 for mmol/L) or mEq/L (÷ 2 for mmol/L).",
            )
        yield _error_slot("serum")

    def _patient_ref_row(self) -> ComposeResult:
        consultation = self.magtui.consultation
        with Horizontal(classes="field-row -group"):
            yield Label("Patient ref", classes="field-label")
            yield FieldInput(
                id="patient-ref",
                value=consultation.typed.get("patient-ref", consultation.patient_ref),
                placeholder="short code — no names", max_length=PATIENT_REF_MAX_CHARS,
                compact=True, cursor_blink=cursor_blink(self), classes="field-input -wide",
                help_text="A short de-identified reference for the note (at most "
                          f"{PATIENT_REF_MAX_CHARS} visible characters, one line). Do not "
                          "type names.",
            )
        yield _error_slot("patient-ref")

    def on_mount(self) -> None:
        # AreaScreen.on_mount also runs (Textual dispatches on_mount along the MRO) and
        # renders the results; here: check the prefilled text exactly as if typed.
        self._sync()
        sync_as_typed(self, self._sync)
        self.focus_first(self.query_one("#age-years", Input))

    def on_resize(self) -> None:
        # Below this width the form and the kidney text side by side are both too narrow.
        self.set_class(self.size.width < NARROW_WIDTH, "-narrow")

    # ------------------------------------------------------------------ reading the form

    def _text(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value

    def _pressed(self, set_id: str) -> int | None:
        """Index of the chosen option of a RadioSet (options follow the tuples above)."""
        index = self.query_one(f"#{set_id}", RadioSet).pressed_index
        return None if index < 0 else index

    def _creatinine_unit(self) -> CreatinineUnit:
        return CREATININE_UNITS[self._pressed("creatinine-unit") or 0]

    def _serum_unit(self) -> SerumUnit:
        return SERUM_UNITS[self._pressed("serum-unit") or 0]

    def _read_serum(self, errors: dict[str, str]) -> SerumInputs:
        unit = self._serum_unit()
        text = self._text("serum")
        value, errors["serum"] = parse_or_error(SERUM_MG[unit], text, "serum")
        self._offer_units("serum", SERUM_MG, unit, text, errors)
        return SerumInputs(value=value, unit=unit)

    def _offer_units(self, field_id: str, limits: Mapping[U, Limit], unit: U, text: str,
                     errors: dict[str, str]) -> None:
        """A refused value that is plausible in another unit: say so, and how to switch."""
        offers = unit_alternatives(limits, unit, text)
        self._unit_offers[field_id] = list(offers)
        if offers:
            errors[field_id] = f"{errors[field_id]}; {unit_hint(limits, offers, self._key())}"

    def _key(self) -> str:
        """The switch key as bound now (a keymap may have changed it)."""
        for active in self.active_bindings.values():
            if active.binding.id == "patient.switch_unit":
                return active.binding.key
        return SWITCH_UNIT_KEY

    def _read(self) -> tuple[PatientInputs, str, dict[str, str]]:
        """The form as patient inputs (None where invalid), the patient ref, and field errors."""
        errors: dict[str, str] = {}
        years, errors["age-years"] = parse_or_error(AGE_YEARS, self._text("age-years"), "age")
        months, errors["age-months"] = parse_or_error(
            AGE_MONTHS, self._text("age-months"), "age-months")
        # Two ways to give one fact: refuse both rather than guess which one is meant.
        if self._text("age-years").strip() and self._text("age-months").strip():
            years = months = None
            for field_id in ("age-years", "age-months"):
                errors[field_id] = errors[field_id] or "give age in years or in months, not both"

        unit = self._creatinine_unit()
        egfr, errors["egfr"] = parse_or_error(EGFR, self._text("egfr"), "egfr")
        creatinine, errors["creatinine"] = parse_or_error(
            CREATININE[unit], self._text("creatinine"), "creatinine")
        self._offer_units("creatinine", CREATININE, unit, self._text("creatinine"), errors)
        if self._text("egfr").strip() and self._text("creatinine").strip():
            egfr = creatinine = None
            for field_id in ("egfr", "creatinine"):
                errors[field_id] = errors[field_id] or "give eGFR or creatinine, not both"

        sex_index = self._pressed("sex")
        patient = PatientInputs(
            age_years=years,
            age_months=None if months is None else int(months),
            sex=None if sex_index is None else SEXES[sex_index],
            condition=CONDITIONS[self._pressed("condition") or 0],
            egfr=egfr,
            creatinine=creatinine,
            creatinine_unit=unit,
            dialysis=self.query_one("#dialysis", Checkbox).value,
        )
        self._serum = self._read_serum(errors)
        patient_ref = self._text("patient-ref")
        try:
            patient_ref = check_patient_ref(patient_ref) or ""
        except ValueError as exc:
            # Refused as typed (e.g. a pasted soft hyphen): the note records no reference
            # until it is fixed, and the text stays in the field to be corrected.
            errors["patient-ref"], patient_ref = str(exc), ""
        return patient, patient_ref, {k: v for k, v in errors.items() if v}

    def _sync(self) -> None:
        """Store what the form says; re-evaluate only when something actually changed."""
        patient, patient_ref, errors = self._read()
        self._local_errors = errors
        typed = invalid_text(self, FIELDS, errors)
        consultation = self.magtui.consultation
        serum = self._serum
        if (patient != consultation.patient or patient_ref != consultation.patient_ref
                or serum != consultation.serum
                or typed != typed_in(consultation.typed, FIELDS)):

            def change(c: Consultation) -> None:
                c.patient = patient
                c.patient_ref = patient_ref
                c.serum = serum
                c.typed = with_typed(c.typed, FIELDS, typed)

            self.magtui.update(change)  # publishes results → show_results
        elif self.magtui.results is not None:
            # Same inputs, but what the form says (errors, "not computed") may have changed.
            self.show_results(self.magtui.results)

    @on(Input.Changed)
    @on(RadioSet.Changed)
    @on(Checkbox.Changed)
    def _field_changed(self, event: Input.Changed | RadioSet.Changed | Checkbox.Changed) -> None:
        if typed_already(event):
            return  # `sync_as_typed` has synced the form as the text changed
        if isinstance(event, RadioSet.Changed) and event.radio_set.id == "creatinine-unit":
            # The same number means a different amount in the other unit: re-check it.
            creatinine = self.query_one("#creatinine", Input)
            creatinine.validators = [LimitValidator(CREATININE[self._creatinine_unit()])]
            creatinine.validate(creatinine.value)
        if isinstance(event, RadioSet.Changed) and event.radio_set.id == "serum-unit":
            serum = self.query_one("#serum", Input)
            serum.validators = [LimitValidator(SERUM_MG[self._serum_unit()])]
            serum.validate(serum.value)
        self._sync()

    @on(Input.Submitted)
    def _next_field(self) -> None:
        self.focus_next()

    def action_switch_unit(self) -> None:
        """Switch the unit the field's message offers: the clinician's choice, on one key.

        The field with the cursor (or its unit choice) comes first; otherwise the one field
        that has an offer. Where the value fits two other units, the unit choice gets the
        focus and the clinician picks: nothing is chosen for them.
        """
        offered = {f: units for f, units in self._unit_offers.items() if units}
        focused = self.focused
        here = [f for f in offered
                if focused is not None and focused.id in (f, UNIT_SETS[f])]
        fields = here or (list(offered) if len(offered) == 1 else [])
        if not fields:
            self.notify(
                "Nothing to switch: no creatinine or serum Mg value here fits another unit"
                if not offered else "Two fields offer a unit switch: put the cursor in the "
                "one to switch, then press the key again",
                markup=False,
            )
            return
        field_id = fields[0]
        units = offered[field_id]
        radio_set = self.query_one(f"#{UNIT_SETS[field_id]}", RadioSet)
        if len(units) > 1:
            self.set_focus(radio_set)
            return
        choices: tuple[str, ...] = CREATININE_UNITS if field_id == "creatinine" else SERUM_UNITS
        # Pressing the button is what a clinician's Enter on it does: RadioSet.Changed
        # re-checks the value in the new unit (`_field_changed`).
        list(radio_set.query(RadioButton))[choices.index(units[0])].value = True

    def invalid_fields(self) -> list[InvalidField]:
        fields = []
        for field_id, message in self._local_errors.items():
            reason = brief_reason(message)
            offers = self._unit_offers.get(field_id)
            if offers:
                limits: Mapping[str, Limit] = (
                    CREATININE if field_id == "creatinine" else SERUM_MG)
                reason += "; plausible as " + " or ".join(limits[u].unit for u in offers)
            fields.append(InvalidField(FIELD_NAMES.get(field_id, field_id),
                                       self._text(field_id), reason))
        return fields

    # ------------------------------------------------------------------ rendering results

    def show_results(self, results: Results) -> None:
        show_field_errors(self, self._local_errors, results.problems, PROBLEM_SLOTS)
        self.query_one("#egfr-result", Static).update(self._egfr_text(results))
        self.query_one("#intake-result", Static).update(self._intake_text(results))
        self.query_one("#serum-result", Static).update(self._serum_text(results))
        kidney = results.kidney
        kidney_widget = self.query_one("#kidney-result", Static)
        kidney_widget.update(f"[b]{escape(banner_text(kidney))}[/b]\n{escape(kidney.caution)}")
        for risk in ("high", "caution", "low", "unknown"):
            kidney_widget.set_class(kidney.risk == risk, f"-risk-{risk}")
        intake = results.intake
        note = self.query_one("#intake-note", Static)
        note.update(escape(intake.row.note) if intake is not None and intake.row.note else "")
        note.display = bool(intake is not None and intake.row.note)
        sources = [*(results.egfr.sources if results.egfr else ()),
                   *(intake.sources if intake else ()), *kidney.sources]
        self.query_one("#patient-sources", Static).update(
            f"[dim]Sources: {escape(', '.join(dict.fromkeys(sources)))}[/dim]"
        )

    def _egfr_text(self, results: Results) -> str:
        egfr = results.egfr
        if egfr is not None:
            # Dialysis outranks the eGFR in the kidney assessment; say so beside the figure.
            unused = " · not used: on dialysis" if results.kidney.basis == "dialysis" else ""
            return (
                f"→ [b]eGFR {egfr.egfr:g} {egfr.unit}[/b] ({egfr.equation}) · "
                f"KDIGO [b]{egfr.category}[/b]: {egfr.category_term}{unused}"
            )
        if self._text("creatinine").strip():
            # Say why nothing is shown rather than showing nothing.
            if "creatinine" in self._local_errors:
                return "→ [b]eGFR not computed[/b] — the creatinine above is not valid"
            reasons = [results.problems.get(key) for key in ("creatinine", "age")]
            why = "; ".join(escape(r) for r in reasons if r)
            return f"→ [b]eGFR not computed[/b] — {why or 'see the fields above'}"
        kidney = results.kidney
        if kidney.basis == "egfr" and kidney.egfr is not None:
            return f"→ [b]eGFR {kidney.egfr:g} {EGFR.unit}[/b] (entered)"
        if kidney.basis == "dialysis":
            return "→ [b]On dialysis[/b]"
        if self._under_18():
            # CKD-EPI 2021 is not used under 18: ask for the eGFR itself, never a creatinine.
            return ("→ eGFR: not given (under 18: enter an eGFR from a paediatric equation "
                    "or a report)")
        return "→ eGFR: not given (enter eGFR, or creatinine with age and sex)"

    def _under_18(self) -> bool:
        patient = self.magtui.consultation.patient
        if patient.age_years is not None:
            return patient.age_years < EGFR_MIN_AGE_YEARS
        return patient.age_months is not None and patient.age_months < EGFR_MIN_AGE_YEARS * 12

    def _serum_text(self, results: Results) -> str:
        serum = results.serum
        if serum is None:
            return "→ Serum magnesium: not given"
        # Shown figures never sit on or across an edge of a band the value is not in.
        return (
            f"→ {conversions_text(serum)} · [b]{escape(serum.band.label)}[/b]"
        )

    def _intake_text(self, results: Results) -> str:
        intake = results.intake
        if intake is None:
            if "sex" in results.problems:
                return "→ Intake reference: needs sex (the tables differ by sex at this age)"
            return "→ Intake reference: needs age and sex"
        ul = intake.ul_supplemental_mg
        ul_text = (
            f"supplemental UL [b]{ul:g} mg/day[/b]" if ul is not None
            else f"[b]no UL set[/b] for {escape(intake.life_stage)} — supplements only on a "
                 "paediatrician's advice"
        )
        return (
            f"→ {escape(intake.life_stage)}, {intake.sex_text}: "
            f"{intake.reference_kind} [b]{intake.reference_mg:g} mg/day[/b] "
            f"(total intake, food included) · {ul_text}"
        )
