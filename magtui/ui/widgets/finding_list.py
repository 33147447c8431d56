"""Tri-state checklist of findings: present, absent, or not asked (never assumed absent)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
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
        """Redraw one finding's row only (issue #6: keystroke budget).

        `OptionList.replace_option_prompt` drops every option's cached render and the line
        map, so one toggle re-rendered all 34 rows (and made garbage enough for a full GC
        every few keys). Here only the changed option's renders are forgotten and only its
        lines repainted, unless its height changed (then the line map is rebuilt as before).
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
        # Private OptionList internals (issue #12 lists them for replacement); Textual types
        # the styles argument more narrowly than it passes it itself.
        height = self._get_visual(option).get_height(
            self.styles, width - padding.width)  # type: ignore[arg-type]
        if height + option._divider != old_height:
            self._clear_caches()  # the rows below move: rebuild the line map
            return
        self.refresh_lines(lines.index_to_line[index], old_height)

    _lines_width: int | None = None
    """The width the line map was measured at (see `_update_lines`)."""

    def _update_lines(self) -> None:
        # OptionList measures each row's height (wrapping) once and keeps it until a Resize.
        # The width rows wrap in can also change without one: the vertical scrollbar appears
        # once the rows are known to overflow, narrowing the content by its width. Rows
        # measured before that would wrap at the old width, so measure them again.
        region = self.scrollable_content_region
        if region:
            width = region.width - self._get_left_gutter_width()
            if width != self._lines_width and self._line_cache.lines:
                self._option_render_cache.clear()
                self._line_cache.clear()
                self.refresh()
            self._lines_width = width
        super()._update_lines()

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # The compositor hands a ScrollView its container size as the virtual size, so on
        # every screen layout (each toggle re-lays out the live panel) ScrollView saw a
        # "change" and repainted the scrollbar one refresh later, which then delayed the
        # next key's frame by a refresh period. The list's own virtual size is the truth.
        return super()._size_updated(size, self.virtual_size, container_size, layout)

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
