"""F2 — the triage checklist, with a live panel: pattern, urgency, unasked red flags."""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import OptionList, Static

from magtui.clinical.triage import PATTERN_MEANING
from magtui.consultation import Results
from magtui.ui.screens.base import AreaScreen
from magtui.ui.widgets.finding_list import WORD, FindingList


class TriageScreen(AreaScreen):
    AREA_TITLE = "F2 Triage checklist"

    def body(self) -> ComposeResult:
        with Horizontal(id="triage-columns"):
            with Vertical(id="triage-left"):
                yield FindingList(self.magtui.kb.findings, id="findings")
                yield Static(id="finding-question")
            with VerticalScroll(id="triage-panel"):
                # Most important first, so 80×24 shows urgency and unasked red flags.
                yield Static(id="live-urgency")
                yield Static(id="live-unasked")
                yield Static(id="live-pattern")
                yield Static(id="live-reasons")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(FindingList).focus()

    @on(FindingList.Marked)
    def _marked(self, event: FindingList.Marked) -> None:
        def change(consultation: object) -> None:
            states = self.magtui.consultation.states
            if event.state == "not_asked":
                states.pop(event.finding_id, None)
            else:
                states[event.finding_id] = event.state

        self.magtui.update(change)

    @on(OptionList.OptionHighlighted, "#findings")
    def _highlighted(self) -> None:
        finding = self.query_one(FindingList).highlighted_finding
        if finding is None:
            return
        state = self.query_one(FindingList).states[finding.id]
        self.query_one("#finding-question", Static).update(
            f"[b]{escape(finding.question)}[/b] Now: [b]{WORD[state]}[/b]\n{escape(finding.why)}"
        )

    def show_results(self, results: Results) -> None:
        triage = results.triage
        self.query_one(FindingList).show_states(triage.states)
        self._highlighted()
        referral = triage.referral
        self.query_one("#live-urgency", Static).update(
            f"[b]{referral.headline}[/b] — {referral.meaning}"
        )
        urgency = self.query_one("#live-urgency")
        for level in ("emergency", "urgent", "routine", "self_care"):
            urgency.set_class(referral.urgency == level, f"-urgency-{level}")
        self.query_one("#live-pattern", Static).update(PATTERN_MEANING[triage.pattern])
        lines = [f"• {escape(e.label)}: {escape(e.note)}" for e in triage.explanation
                 if e.counted]
        lines += [f"→ {escape(reason)}" for reason in referral.reasons]
        self.query_one("#live-reasons", Static).update("\n".join(lines))
        unasked = [escape(self.magtui.kb.findings[f].label) for f in triage.unasked_red_flags]
        self.query_one("#live-unasked", Static).update(
            f"[b]? RED FLAGS NOT YET ASKED ({len(unasked)}):[/b]\n"
            + "\n".join(f"? {label}" for label in unasked)
            if unasked else "✓ Every red flag has been asked."
        )
