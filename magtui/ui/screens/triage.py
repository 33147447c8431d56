"""F2 — the triage checklist, with a live panel: pattern, urgency, unasked red flags."""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import OptionList, Static

from magtui.clinical.referral import URGENCY_SYMBOL
from magtui.clinical.triage import PATTERN_MEANING, FindingState
from magtui.consultation import Consultation, Results, answered_on_f3
from magtui.knowledge.records import Finding
from magtui.ui.screens.base import AreaScreen
from magtui.ui.widgets.finding_list import WORD, FindingList
from magtui.ui.widgets.text import WholeTextBox, show_text

URGENCY_CLASSES = tuple(
    f"-urgency-{level}" for level in ("emergency", "urgent", "routine", "self_care")
)


def question(finding: Finding, state: FindingState, origin: str = "") -> str:
    """The highlighted finding's question, its answer now (and where from), and why."""
    now = f"{WORD[state]}[/b], {escape(origin)}" if origin else f"{WORD[state]}[/b]"
    return f"[b]{escape(finding.question)}[/b] Now: [b]{now}\n{escape(finding.why)}"


class TriageScreen(AreaScreen):
    AREA_TITLE = "F2 Triage checklist"

    def body(self) -> ComposeResult:
        findings = self.magtui.kb.findings
        with Horizontal(id="triage-columns"):
            with Vertical(id="triage-left"):
                yield FindingList(findings, self._mark, id="findings")
            with VerticalScroll(id="triage-panel"):
                # Most important first, so 80×24 shows urgency and unasked red flags.
                yield Static(id="live-urgency")
                yield Static(id="live-unasked")
                yield Static(id="live-pattern")
                yield Static(id="live-reasons")
        # The full width, and tall enough for the longest question and why: at 80×24 a
        # column's width cut most of them off (issue #13).
        yield WholeTextBox([question(f, "not_asked") for f in findings.values()],
                           id="finding-question")

    def on_mount(self) -> None:
        super().on_mount()
        self.focus_first(self.query_one(FindingList))

    def _mark(self, finding_id: str, state: FindingState) -> None:
        def change(consultation: Consultation) -> None:
            # Marked on its own: it also leaves the red flags denied together.
            consultation.mark(finding_id, state)

        self.magtui.update(change)

    @on(FindingList.DenyUnaskedRedFlags)
    def _deny_unasked_red_flags(self) -> None:
        results = self.magtui.results
        # The clinical result says which red flags are unasked; the UI does not decide it.
        unasked = results.triage.unasked_red_flags if results is not None else ()
        if not unasked:
            return

        def change(consultation: Consultation) -> None:
            consultation.deny_together(unasked)

        self.magtui.update(change)  # one update: every one denied at once, or none
        self.notify(f"{len(unasked)} red flag{'s' if len(unasked) != 1 else ''} marked "
                    "absent: asked together, all denied.")

    @on(OptionList.OptionHighlighted, "#findings")
    def _highlighted(self) -> None:
        finding = self.query_one(FindingList).highlighted_finding
        if finding is None:
            return
        findings = self.query_one(FindingList)
        origin = findings.set_elsewhere.get(finding.id, ("", ""))[0]
        self._show("finding-question", question(finding, findings.states[finding.id], origin))

    def _show(self, widget_id: str, markup: str) -> None:
        # show_text skips unchanged text and re-lays out only on a height change: a toggle
        # changes a few lines of the panel (issue #6: keystroke budget).
        show_text(self.query_one(f"#{widget_id}", Static), markup)

    def show_results(self, results: Results) -> None:
        triage = results.triage
        # Answered by the patient details: shown as from F3, changed only there.
        self.query_one(FindingList).show_states(triage.states,
                                                answered_on_f3(self.magtui.kb, triage))
        self._highlighted()
        referral = triage.referral
        self._show("live-urgency",
                   f"[b]{URGENCY_SYMBOL[referral.urgency]} {escape(triage.headline)}[/b]")
        urgency = self.query_one("#live-urgency")
        level = f"-urgency-{referral.urgency}"
        if not urgency.has_class(level):
            # One style update for the swap, not one per class touched.
            for name in URGENCY_CLASSES:
                urgency.set_class(name == level, name, update=False)
            urgency.update_node_styles()
        self._show("live-pattern", PATTERN_MEANING[triage.pattern])
        lines = [f"• {escape(e.label)}: {escape(e.note)}" for e in triage.explanation
                 if e.counted]
        lines += [f"→ {escape(reason)}" for reason in referral.reasons]
        self._show("live-reasons", "\n".join(lines))
        unasked = [escape(self.magtui.kb.findings[f].label) for f in triage.unasked_red_flags]
        self._show(
            "live-unasked",
            f"[b]? RED FLAGS NOT YET ASKED ({len(unasked)}):[/b]\n"
            + "\n".join(f"? {label}" for label in unasked)
            if unasked else "✓ Every red flag has been asked.",
        )
