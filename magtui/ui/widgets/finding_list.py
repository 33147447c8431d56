"""Tri-state checklist of findings: present, absent, or not asked (never assumed absent)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from magtui.clinical.triage import FindingState
from magtui.knowledge.records import Finding

GROUP_TITLES = {
    "deficiency_symptoms": "Deficiency-type symptoms",
    "excess_symptoms": "Excess-type symptoms",
    "context": "Context and risk factors",
    "red_flags": "Red flags — ask every one",
}
MARK = {"present": "[✓]", "absent": "[✗]", "not_asked": "[ ]"}
WORD = {"present": "present", "absent": "absent", "not_asked": "not asked"}
NEXT_STATE: dict[str, FindingState] = {
    "not_asked": "present", "present": "absent", "absent": "not_asked",
}


def finding_prompt(finding: Finding, state: FindingState) -> Text:
    # Plain styles only: an unknown style name costs a failed colour parse (and a difflib
    # "did you mean" search) per option on every render.
    text = Text(f"{MARK[state]} ", style="bold" if state == "present" else "")
    text.append(finding.label)
    if finding.red_flag and state == "not_asked":
        text.append("  · not asked", style="italic")
    elif state == "absent":
        text.append("  · absent", style="dim")
    return text


class FindingList(OptionList):
    """An OptionList of findings under group headings; keys set the highlighted finding."""

    HELP = (
        "Move with ↑/↓. **y** marks the finding present, **n** absent, **u** not asked; "
        "**space** cycles. Red flags not yet asked stay listed until answered."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "mark('present')", "Present", id="finding.present"),
        Binding("n", "mark('absent')", "Absent", id="finding.absent"),
        Binding("u", "mark('not_asked')", "Not asked", id="finding.not_asked"),
        Binding("space", "cycle", "Cycle", id="finding.cycle", show=False),
    ]

    class Marked(Message):
        def __init__(self, finding_id: str, state: FindingState) -> None:
            super().__init__()
            self.finding_id = finding_id
            self.state = state

    def __init__(self, findings: Mapping[str, Finding], **kwargs: object) -> None:
        self.findings = dict(findings)
        self.states: dict[str, FindingState] = dict.fromkeys(self.findings, "not_asked")
        options: list[Option | None] = []
        for group, title in GROUP_TITLES.items():
            options.append(Option(Text(title, style="bold underline"), id=f"group:{group}",
                                  disabled=True))
            options += [
                Option(finding_prompt(f, "not_asked"), id=f.id)
                for f in self.findings.values()
                if f.group == group
            ]
        super().__init__(*options, **kwargs)  # type: ignore[arg-type]

    def show_states(self, states: Mapping[str, FindingState]) -> None:
        for finding_id, finding in self.findings.items():
            state = states.get(finding_id, "not_asked")
            if self.states.get(finding_id) != state:
                self.states[finding_id] = state
                self._replace_prompt(finding_id, finding_prompt(finding, state))

    def _replace_prompt(self, finding_id: str, prompt: Text) -> None:
        """Redraw one finding's row only: the one private Textual use in magtui.

        `OptionList.replace_option_prompt` (Textual 8.2.8) drops every option's cached
        render and the line map and repaints the whole list, so each y/n/u re-rendered all
        34 rows: measured against the checkbox baseline, a toggle's p95 went from 0.35× to
        1.49× (62 ms, over the 50 ms budget; issue #12). Textual has no public way to redraw
        one option. Here only the changed option's renders are forgotten and only its lines
        repainted, unless its height changed (then the line map is rebuilt, as Textual
        does). An upgrade that changes these internals fails
        `tests/ui/test_triage_checklist.py` (each row redrawn; a taller row moves the rest).
        """
        index = self.get_option_index(finding_id)
        option = self.get_option_at_index(index)
        cache = self._option_render_cache  # keyed (option, style, padding)
        for key in [key for key in cache.keys() if key[0] is option]:  # noqa: SIM118 (no __iter__)
            cache.discard(key)
        option._set_prompt(prompt)
        lines = self._line_cache
        old_height = lines.heights.get(index)
        if old_height is None or not self.scrollable_content_region:
            self._clear_caches()  # not laid out yet: nothing cached to keep
            return
        # The height as `OptionList._update_lines` measures it.
        padding = self.get_component_styles("option-list--option").padding
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        # Textual types the styles argument more narrowly than it passes it itself.
        height = self._get_visual(option).get_height(
            self.styles, width - padding.width)  # type: ignore[arg-type]
        if height + option._divider != old_height:
            self._clear_caches()  # the rows below move: rebuild the line map
            return
        self.refresh_lines(lines.index_to_line[index], old_height)

    @property
    def highlighted_finding(self) -> Finding | None:
        option = self.highlighted_option
        return self.findings.get(option.id or "") if option else None

    def action_mark(self, state: FindingState) -> None:
        finding = self.highlighted_finding
        if finding is not None:
            self.post_message(self.Marked(finding.id, state))

    def action_cycle(self) -> None:
        finding = self.highlighted_finding
        if finding is not None:
            self.post_message(self.Marked(finding.id, NEXT_STATE[self.states[finding.id]]))
