"""F4 — dose calculator: a supplement dose as elemental magnesium, against the RDA and the UL.

Every figure and warning shown is read from `app.results.dose` (a `DoseResult` computed by
`magtui.clinical.dosing`). The layout puts the result summary and the warnings, most
dangerous first, above any explanation, so the figures that matter (mg/day, % of the UL,
the kidney warning) are on screen without scrolling.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.widgets import Input, Label, RadioSet, Select, Static

from magtui.clinical.dosing import DoseResult, DoseWarning, fraction_basis_text, label_rule
from magtui.clinical.limits import COMPOUND_MG, ELEMENTAL_MG, TIMES_PER_DAY, Limit
from magtui.clinical.renal import egfr_basis_text, kidney_risk_label
from magtui.consultation import Consultation, DoseInputs, Results
from magtui.knowledge.records import SupplementForm
from magtui.ui.screens.base import CSS_DIR, AreaScreen, InvalidField
from magtui.ui.validators import (
    LimitValidator,
    brief_reason,
    number_text,
    parse_or_error,
    parse_required,
)
from magtui.ui.widgets.fields import (
    FieldInput,
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
from magtui.ui.widgets.text import show_text

EnteredAs = Literal["compound", "elemental"]
AMOUNT_LIMITS: dict[EnteredAs, tuple[Limit, str]] = {
    # kind → (limit, field name used by the CLI for the same value)
    "compound": (COMPOUND_MG, "compound-mg"),
    "elemental": (ELEMENTAL_MG, "elemental-mg"),
}
ENTERED_KINDS: tuple[EnteredAs, ...] = ("compound", "elemental")
ENTERED_WORDS = {"compound": "compound mg of the salt", "elemental": "elemental mg from the label"}
LEVEL_WORDS = {"danger": "⚠⚠ DANGER", "caution": "⚠ CAUTION", "info": "ℹ NOTE"}
PROBLEM_SLOTS = {
    "form": "form",
    "compound-mg": "amount",
    "elemental-mg": "amount",
    "times-per-day": "times-per-day",
}


NBSP = "\u00a0"
"""Keeps a number and its unit on one line when text wraps."""


def form_label(form: SupplementForm) -> str:
    """How a salt is offered in the picker: its name and elemental share, with the unit."""
    return f"{form.name} — {form.elemental_fraction * 100:.1f}{NBSP}% elemental"


def _n(value: float) -> str:
    """A computed figure as shown (already rounded by the clinical layer); no exponent."""
    return f"{value:.10g}"


FIELDS = ("amount", "times-per-day")
"""Number fields whose invalid text a draft keeps (`Consultation.typed`)."""
FIELD_NAMES = {"amount": "Amount per dose", "times-per-day": "Doses a day"}
"""How a leaving notice names each field (`invalid_fields`)."""

class HelpSelect(Select[str]):
    HELP: ClassVar[str] = (
        "The magnesium salt. Enter opens the list; type to search; Enter chooses. The % is "
        "the salt's elemental share for the formula (hydrate) shown with the result, used to "
        "convert a compound weight to elemental mg. A label's printed elemental figure wins: "
        "choose 'elemental mg from the label'."
    )


class DoseScreen(AreaScreen):
    CSS_PATH = CSS_DIR / "dose.tcss"
    AREA_TITLE = "F4 Dose calculator"

    def __init__(self) -> None:
        super().__init__()
        self._local_errors: dict[str, str] = {}

    # ------------------------------------------------------------------ layout

    def body(self) -> ComposeResult:
        dose = self.magtui.consultation.dose
        typed = self.magtui.consultation.typed
        forms = self.magtui.kb.forms
        blink = cursor_blink(self)
        limit, field = AMOUNT_LIMITS[dose.entered_as]
        with Vertical(id="dose-form"):
            with Horizontal(classes="field-row"):
                yield Label("Form", classes="field-label")
                yield HelpSelect(
                    [(form_label(form), form.id) for form in forms.values()],
                    prompt="choose the magnesium salt",
                    value=dose.form_id if dose.form_id in forms else Select.NULL,
                    id="form", compact=True,
                )
            yield Static(id="form-error", classes="field-error")
            with Horizontal(classes="field-row"):
                yield Label("Amount is", classes="field-label")
                yield HelpRadioSet(
                    *(MarkedRadioButton(ENTERED_WORDS[kind], dose.entered_as == kind)
                      for kind in ENTERED_KINDS),
                    id="entered-as", compact=True, classes="field-choice",
                    help_text="Compound: the weight of the whole salt (e.g. 400 mg magnesium "
                              "oxide). Elemental: the magnesium itself, as printed on the label.",
                )
            with Horizontal(classes="field-row"):
                yield Label("Per dose", classes="field-label")
                yield FieldInput(
                    id="amount", value=typed.get("amount", number_text(dose.amount_mg)),
                    placeholder="amount",
                    validators=[LimitValidator(limit, field)], valid_empty=True,
                    compact=True, cursor_blink=blink, classes="field-input",
                    help_text="Amount per dose in mg: compound "
                              f"{COMPOUND_MG.minimum:g}–{COMPOUND_MG.maximum:g} mg, or elemental "
                              f"{ELEMENTAL_MG.minimum:g}–{ELEMENTAL_MG.maximum:g} mg.",
                )
                yield Label("mg", classes="field-unit")
                yield Label("Doses a day", classes="field-label -second")
                yield FieldInput(
                    id="times-per-day",
                    value=typed.get("times-per-day", number_text(dose.times_per_day)),
                    validators=[LimitValidator(TIMES_PER_DAY)], compact=True,
                    cursor_blink=blink, classes="field-input -narrow",
                    help_text="How many doses a day, a whole number "
                              f"{TIMES_PER_DAY.minimum:g}–{TIMES_PER_DAY.maximum:g} (default 1).",
                )
                yield Label("× a day", classes="field-unit")
            yield Static(id="amount-error", classes="field-error")
            yield Static(id="times-per-day-error", classes="field-error")
        with VerticalScroll(id="dose-results"):
            yield Static(id="dose-status")
            yield Static(id="dose-summary")
            yield Static(id="dose-warnings")
            yield Static(id="dose-explain")

    def on_mount(self) -> None:
        # AreaScreen.on_mount also runs (Textual dispatches on_mount along the MRO).
        self._sync()
        sync_as_typed(self, self._sync)
        self.focus_first(self.query_one("#form", Select))

    # ------------------------------------------------------------------ reading the form

    def _entered_as(self) -> EnteredAs:
        return ENTERED_KINDS[max(self.query_one("#entered-as", RadioSet).pressed_index, 0)]

    def _read(self) -> tuple[DoseInputs, dict[str, str]]:
        errors: dict[str, str] = {}
        form_value = self.query_one("#form", Select).value
        entered_as = self._entered_as()
        limit, field = AMOUNT_LIMITS[entered_as]
        amount, errors["amount"] = parse_or_error(
            limit, self.query_one("#amount", Input).value, field)
        # Unlike the amount, "doses a day" has a default, so an empty field is refused
        # rather than read as "not entered yet" (Limit.parse: "a value is required").
        times, errors["times-per-day"] = parse_required(
            TIMES_PER_DAY, self.query_one("#times-per-day", Input).value)
        dose = DoseInputs(
            form_id=form_value if isinstance(form_value, str) else None,
            entered_as=entered_as,
            amount_mg=amount,
            # None while invalid, so no dose is computed from a number not on screen.
            times_per_day=None if times is None else int(times),
        )
        return dose, {k: v for k, v in errors.items() if v}

    def _sync(self) -> None:
        dose, errors = self._read()
        self._local_errors = errors
        typed = invalid_text(self, FIELDS, errors)
        consultation = self.magtui.consultation
        if dose != consultation.dose or typed != typed_in(consultation.typed, FIELDS):

            def change(c: Consultation) -> None:
                c.dose = dose
                c.typed = with_typed(c.typed, FIELDS, typed)

            self.magtui.update(change)
        elif self.magtui.results is not None:
            # Same inputs, but what the form says (errors, "not computed") may have changed.
            self.show_results(self.magtui.results)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(RadioSet.Changed)
    def _field_changed(self, event: Any) -> None:
        if typed_already(event):
            return  # `sync_as_typed` has synced the form as the text changed
        if isinstance(event, RadioSet.Changed):
            # Compound and elemental amounts have different plausible ranges: re-check.
            amount = self.query_one("#amount", Input)
            amount.validators = [LimitValidator(*AMOUNT_LIMITS[self._entered_as()])]
            amount.validate(amount.value)
        self._sync()

    @on(Input.Submitted)
    def _next_field(self) -> None:
        self.focus_next()

    def invalid_fields(self) -> list[InvalidField]:
        return [
            InvalidField(FIELD_NAMES[field_id], self.query_one(f"#{field_id}", Input).value,
                         brief_reason(message))
            for field_id, message in self._local_errors.items()
        ]

    # ------------------------------------------------------------------ rendering results

    def show_results(self, results: Results) -> None:
        # The palette ("Dose with …") and a restored draft change the form from outside:
        # the picker must show the salt the calculation uses.
        picker = self.query_one("#form", Select)
        wanted = self.magtui.consultation.dose.form_id
        if wanted in self.magtui.kb.forms and picker.value != wanted:
            with picker.prevent(Select.Changed):
                picker.value = wanted
        show_field_errors(self, self._local_errors, results.problems, PROBLEM_SLOTS)
        dose = results.dose
        status = self.query_one("#dose-status", Static)
        show_text(status, self._status_text(results))
        status.display = dose is None
        kidney = results.kidney
        for risk in ("high", "caution", "low", "unknown"):
            status.set_class(dose is None and kidney.risk == risk, f"-risk-{risk}")
        summary = self.query_one("#dose-summary", Static)
        warnings = self.query_one("#dose-warnings", Static)
        explain = self.query_one("#dose-explain", Static)
        for widget in (summary, warnings, explain):
            widget.display = dose is not None
        if dose is None:
            return
        show_text(summary, self._summary_text(dose))
        summary.set_class(dose.exceeds_ul, "-exceeds-ul")
        ordered = list(dose.warnings)  # already most serious first (magtui.clinical.dosing)
        show_text(warnings, self._warnings_text(ordered))
        levels = {w.level for w in ordered}
        warnings.set_class("danger" in levels, "-danger")
        warnings.set_class("danger" not in levels and "caution" in levels, "-caution")
        show_text(explain, self._explain_text(dose))

    def _status_text(self, results: Results) -> str:
        """Before a dose is computed: what is missing, and what kidney function means."""
        lines = []
        if "dose" in results.problems:
            lines.append(f"[b]⚠ No dose computed: {escape(results.problems['dose'])}[/b]")
        else:
            lines.append("Choose a form and an amount per dose to compute elemental magnesium.")
        kidney = results.kidney
        basis = egfr_basis_text(kidney)
        lines.append(
            f"[b]{kidney_risk_label(kidney.risk)}[/b] — "
            f"{escape(kidney.headline)}\n"
            + (f"{escape(basis)}\n" if basis else "")
            + f"{escape(kidney.caution)}"
        )
        return "\n\n".join(lines)

    def _summary_text(self, dose: DoseResult) -> str:
        entered = "compound (salt)" if dose.entered_as == "compound" else "elemental (label)"
        intake = dose.intake
        ul = dose.ul_supplemental_mg
        if ul is None:
            ul_line = (
                f"Supplemental UL: [b]no UL set for {escape(intake.life_stage)}[/b] — see the "
                "warning below"
            )
        else:
            verdict = "[b]⚠ ABOVE THE UL[/b]" if dose.exceeds_ul else "within the UL"
            ul_line = (
                f"Supplemental UL {_n(ul)} mg/day: [b]{_n(dose.percent_of_ul or 0)}{NBSP}% of "
                f"UL[/b] — {verdict}"
            )
        # The UL line comes before the RDA line: it is the one that can say "too much".
        return (
            f"[b]{escape(form_label(dose.form))}[/b]: {_n(dose.entered_mg)} mg {entered}"
            f" × {dose.times_per_day} a day\n"
            f"Elemental magnesium: {_n(dose.elemental_mg_per_dose)} mg per dose · "
            f"[b]{_n(dose.elemental_mg_per_day)} mg/day[/b] · {_n(dose.mmol_per_day)} mmol/day\n"
            f"{ul_line}\n"
            f"{intake.reference_kind} {_n(intake.reference_mg)} mg/day for "
            f"{escape(intake.life_stage)} (total intake incl. food): this supplement "
            f"alone is {_n(dose.percent_of_reference)}{NBSP}% of it"
        )

    def _warnings_text(self, warnings: list[DoseWarning]) -> str:
        if not warnings:
            return "No warnings for this dose."
        lines = [f"[b]Warnings ({len(warnings)}), most serious first:[/b]"]
        for warning in warnings:
            word = LEVEL_WORDS.get(warning.level, warning.level.upper())
            head = f"[b]{word} · {escape(warning.code)}[/b]"
            if warning.level == "danger":
                lines.append(f"{head} — [b]{escape(warning.text)}[/b] "
                             f"[dim](source: {escape(warning.source)})[/dim]")
            else:
                lines.append(f"{head} — {escape(warning.text)} "
                             f"[dim](source: {escape(warning.source)})[/dim]")
        return "\n".join(lines)

    def _explain_text(self, dose: DoseResult) -> str:
        form = dose.form
        note = f" {form.variability_note}" if form.variability_note else ""
        used = ("a compound weight was entered, so this share was used"
                if dose.entered_as == "compound"
                else "the label's elemental figure was entered, so this share was not used")
        return (
            f"[b]Elemental share[/b]: {escape(fraction_basis_text(form))} "
            f"({escape(used)}).{escape(note)}\n"
            f"[b]Label rule[/b]: {escape(label_rule(self.magtui.kb)[0])} Enter a label's "
            "figure as 'elemental mg from the label'.\n"
            f"[b]About {escape(form.name)}[/b] ({escape(form.formula)}): "
            f"{escape(form.absorption)}\n"
            f"{escape(dose.intake.row.note or '')}\n"
            f"[dim]Sources: {escape(', '.join(dose.sources))}[/dim]"
        )
