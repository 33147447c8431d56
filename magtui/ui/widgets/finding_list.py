"""Tri-state checklist of findings: present, absent, or not asked (never assumed absent)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets.option_list import Option

from magtui.clinical.triage import FindingState
from magtui.knowledge.records import Finding
from magtui.ui.widgets.option_list import SteadyOptionList

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


def finding_prompt(finding: Finding, state: FindingState, origin: str = "") -> Text:
    # Plain styles only: an unknown style name costs a failed colour parse (and a difflib
    # "did you mean" search) per option on every render.
    text = Text(f"{MARK[state]} ", style="bold" if state == "present" else "")
    text.append(finding.label)
    if origin:  # answered by the patient details, e.g. "from F3 (age 68 years)"
        text.append(f"  · {origin}", style="italic")
    elif finding.red_flag and state == "not_asked":
        text.append("  · not asked", style="italic")
    elif state == "absent":
        text.append("  · absent", style="dim")
    return text


class FindingList(SteadyOptionList):
    """An OptionList of findings under group headings; keys set the highlighted finding."""

    HELP = (
        "Move with ↑/↓. **y** marks the finding present, **n** absent, **u** not asked; "
        "**space** cycles. Each mark moves on to the next finding not yet asked. "
        "**D** (shift+d): deny all unasked red flags — marks every red flag not yet asked "
        "absent in one step; the note records them as asked together, all denied (mark one "
        "on its own to take it out of that group). Red flags not yet asked stay listed until "
        "answered."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "mark('present')", "Present", id="finding.present"),
        Binding("n", "mark('absent')", "Absent", id="finding.absent"),
        Binding("u", "mark('not_asked')", "Unasked", id="finding.not_asked"),
        Binding("space", "cycle", "Cycle", id="finding.cycle", show=False),
        # Upper case on purpose: not a slip for y/n/u, and not the referral screen's "a"
        # (which opens this list), so a double press never denies red flags unasked. A short
        # footer word: at 80 columns help, save and quit still show after it (H24); F1 and
        # the tooltip say it in full. Shown only while a red flag is unasked.
        Binding("D", "deny_unasked_red_flags", "Deny unasked",
                id="finding.deny_unasked_red_flags",
                tooltip="Deny all unasked red flags: each marked absent, noted as asked "
                        "together, all denied"),
    ]

    class DenyUnaskedRedFlags(Message):
        """Every red flag still unasked is to be marked absent, as asked together."""

    def __init__(self, findings: Mapping[str, Finding],
                 on_mark: Callable[[str, FindingState], None], **kwargs: object) -> None:
        self.findings = dict(findings)
        # Called at once, not posted: the mark, its result and the moved highlight are then
        # drawn in one frame. A message climbing the DOM let a frame with only the moved
        # highlight go out first, and the result came a frame later (toggle p95 1.6×).
        self._on_mark = on_mark
        self.states: dict[str, FindingState] = dict.fromkeys(self.findings, "not_asked")
        self.set_elsewhere: dict[str, tuple[str, str]] = {}
        """Findings the patient details answer: (where from, why a mark here is refused)."""
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

    def show_states(self, states: Mapping[str, FindingState],
                    set_elsewhere: Mapping[str, tuple[str, str]] | None = None) -> None:
        """Show each finding's answer; `set_elsewhere`: finding → (where it was answered,
        what a mark here says instead of changing it)."""
        unasked_before = self._unasked_red_flags()
        elsewhere, before = dict(set_elsewhere or {}), self.set_elsewhere
        self.set_elsewhere = elsewhere
        moved = False
        for finding_id, finding in self.findings.items():
            state = states.get(finding_id, "not_asked")
            origin = elsewhere.get(finding_id, ("", ""))[0]
            if self.states.get(finding_id) != state or before.get(
                    finding_id, ("", ""))[0] != origin:
                self.states[finding_id] = state
                moved |= self._replace_prompt(finding_id,
                                              finding_prompt(finding, state, origin))
        if moved and self.highlighted is not None:
            # A row changed height and the rows below moved: keep the highlighted one in view.
            self.scroll_to_highlight()
        if self._unasked_red_flags() != unasked_before:
            self.refresh_bindings()  # "deny unasked red flags" is offered only while any is

    def _unasked_red_flags(self) -> bool:
        return any(finding.red_flag and self.states[finding_id] == "not_asked"
                   for finding_id, finding in self.findings.items())

    def _replace_prompt(self, finding_id: str, prompt: Text) -> bool:
        """Redraw one finding's row only: the one private Textual use in magtui.

        `OptionList.replace_option_prompt` (Textual 8.2.8) drops every option's cached
        render and the line map and repaints the whole list, so each y/n/u re-rendered all
        34 rows: measured against the checkbox baseline, a toggle's p95 went from 0.35× to
        1.49× (62 ms, over the 50 ms budget; issue #12). Textual has no public way to redraw
        one option. Here only the changed option's renders are forgotten and only its lines
        repainted, unless its height changed (then the line map is rebuilt, as Textual
        does). An upgrade that changes these internals fails
        `tests/ui/test_triage_checklist.py` (each row redrawn; a taller row moves the rest).
        Returns True when the rows below may have moved (the line map is rebuilt).
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
            return True
        # The height as `OptionList._update_lines` measures it.
        padding = self.get_component_styles("option-list--option").padding
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        # Textual types the styles argument more narrowly than it passes it itself.
        height = self._get_visual(option).get_height(
            self.styles, width - padding.width)  # type: ignore[arg-type]
        if height + option._divider != old_height:
            self._clear_caches()  # the rows below move: rebuild the line map
            return True
        self.refresh_lines(lines.index_to_line[index], old_height)
        return False

    @property
    def highlighted_finding(self) -> Finding | None:
        option = self.highlighted_option
        return self.findings.get(option.id or "") if option else None

    def next_unasked_index(self, after: int, state: FindingState) -> int | None:
        """Where the highlight goes once the finding at `after` is marked `state`.

        The next finding still not asked, in list order, wrapping to the top; with none left,
        the next finding (headings are skipped), or None to stay on the last one.
        """
        options = self.options
        count = len(options)
        for step in range(1, count + 1):
            index = (after + step) % count
            finding_id = options[index].id or ""
            if finding_id not in self.findings:
                continue  # a group heading
            now = state if index == after else self.states[finding_id]
            if now == "not_asked":
                return index
        return next((index for index in range(after + 1, count)
                     if (options[index].id or "") in self.findings), None)

    def _mark_and_move(self, state: FindingState) -> None:
        index = self.highlighted
        finding = self.highlighted_finding
        if index is None or finding is None:
            return
        if finding.id in self.set_elsewhere:
            # Entered once, changed in one place: the mark is refused, the cursor stays.
            self.notify(self.set_elsewhere[finding.id][1], severity="warning", markup=False)
            return
        # Moved first, so the result shown with the mark already explains the next finding.
        target = self.next_unasked_index(index, state)
        if target is not None and target != index:
            self.highlighted = target  # scrolled into view by OptionList
        self._on_mark(finding.id, state)

    def action_mark(self, state: FindingState) -> None:
        self._mark_and_move(state)

    def action_cycle(self) -> None:
        finding = self.highlighted_finding
        if finding is not None:
            self._mark_and_move(NEXT_STATE[self.states[finding.id]])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "deny_unasked_red_flags":
            return self._unasked_red_flags()  # hidden from the footer once every one is asked
        return True

    def action_deny_unasked_red_flags(self) -> None:
        if self._unasked_red_flags():
            self.post_message(self.DenyUnaskedRedFlags())
