"""F5 — referral guidance: urgency and red flags still to ask, then the plan, reasons, sources.

Everything shown comes from `app.results` and the KB records it points to; this screen only
lays them out. The urgency headline is pinned above the scrolling detail so it never scrolls
out of sight, and it says the level in capitals with a symbol (colour is only a second cue).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Static

from magtui.clinical.referral import URGENCY_SYMBOL
from magtui.clinical.serum import conversions_text
from magtui.clinical.triage import PATTERN_MEANING
from magtui.consultation import Results
from magtui.knowledge.base import KnowledgeBase
from magtui.ui.screens.base import CSS_DIR, AreaScreen
from magtui.ui.widgets.finding_list import FindingList
from magtui.ui.widgets.kidney_banner import banner_text

# No tick for self-care: it must not read as "all clear" while red flags are still unasked.
URGENCY_LEVELS = ("emergency", "urgent", "routine", "self_care")
# Context rules are shown with their own level in lower case, so that a capitalised word
# on screen is always the headline's level and nothing else.
CONTEXT_LEVEL = {"emergency": "emergency", "urgent": "urgent", "routine": "routine",
                 "self_care": "self-care"}
DIET_ADVICE_ID = "diet_sources"

HEADING = "bold underline"
CITE = "italic"


def _cite(ids: Iterable[str]) -> Text:
    """A compact citation: the first source id, and how many more the Sources list gives."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return Text()
    more = f" +{len(ids) - 1} more" if len(ids) > 1 else ""
    return Text(f" [{ids[0]}{more}]", style=CITE)


def _bullets(title: str, rows: Iterable[Text], *, numbered: bool = False) -> Group:
    """A heading over bullet (or numbered) rows with a hanging indent: wrapped lines align
    under the text. The plan is numbered, since it reads in the order it is acted on."""
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True, justify="right")
    # fold, not ellipsis: a URL or long id must be shown whole, never cut short.
    grid.add_column(ratio=1, overflow="fold")
    for i, row in enumerate(rows, 1):
        grid.add_row(f"{i}." if numbered else "•", row)
    return Group(Text(title, style=HEADING), grid)


def _cited(body: str, ids: Iterable[str]) -> Text:
    text = Text(body)
    text.append_text(_cite(ids))
    return text


def source_line(kb: KnowledgeBase, source_id: str) -> Text:
    source = kb.sources.get(source_id)
    text = Text(f"[{source_id}] ", style="bold")
    if source is None:
        # The loader rejects unknown ids, so this only shows a broken KB, never hides it.
        text.append("not in the knowledge base's source list")
        return text
    text.append(f"{source.title} — {source.publisher} — {source.url} "
                f"(accessed {source.accessed.isoformat()})")
    return text


class ReferralScroll(VerticalScroll):
    """The referral detail: focusable so ↑/↓, PgUp/PgDn, Home/End scroll it."""

    HELP = (
        "Referral guidance from the triage answers (F2), kidney function (F3) and any serum "
        "value. The urgency line stays at the top. Scroll with ↑/↓, PgUp/PgDn, Home/End. "
        "**a** goes to the triage checklist at the first red flag not yet asked."
    )


class ReferralScreen(AreaScreen):
    CSS_PATH = CSS_DIR / "referral.tcss"
    AREA_TITLE = "F5 Referral guidance"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "ask_red_flags", "Ask red flags", id="referral.ask_red_flags",
                tooltip="Go to the triage checklist at the first red flag not yet asked"),
    ]

    def body(self) -> ComposeResult:
        yield Static(id="ref-headline")
        with ReferralScroll(id="ref-scroll"):
            yield Static(id="ref-reasons", classes="ref-section")
            yield Static(id="ref-red-flags", classes="ref-section")
            yield Static(id="ref-advice", classes="ref-section")
            yield Static(id="ref-foods", classes="ref-section")
            yield Static(id="ref-context", classes="ref-section")
            yield Static(id="ref-interactions", classes="ref-section")
            yield Static(id="ref-kidney", classes="ref-section")
            yield Static(id="ref-serum", classes="ref-section")
            yield Static(id="ref-pattern", classes="ref-section")
            yield Static(id="ref-sources", classes="ref-section")

    def on_mount(self) -> None:
        super().on_mount()
        self.focus_first(self.query_one(ReferralScroll))

    # ------------------------------------------------------------------ rendering

    def _section(self, widget_id: str, content: Text | Group | None) -> None:
        widget = self.query_one(f"#{widget_id}", Static)
        widget.display = content is not None
        if content is not None:
            widget.update(content)

    def show_results(self, results: Results) -> None:
        triage = results.triage
        referral = triage.referral

        headline = self.query_one("#ref-headline", Static)
        text = Text(f"{URGENCY_SYMBOL[referral.urgency]} {triage.headline}")
        if triage.unasked_note:
            # A provisional result says which red flags are still to ask, in the headline.
            text.append(f"\n? {triage.unasked_note} — press a", style="not bold")
        headline.update(text)
        for level in URGENCY_LEVELS:
            headline.set_class(referral.urgency == level, f"-urgency-{level}")

        # design.md §7 reads urgency, reasons, then advice; an emergency screen starts with
        # the emergency action instead (§5), its reasons following as context.
        scroll = self.query_one(ReferralScroll)
        advice, reasons = self.query_one("#ref-advice"), self.query_one("#ref-reasons")
        emergency = referral.urgency == "emergency"
        if (scroll.children.index(advice) < scroll.children.index(reasons)) != emergency:
            if emergency:
                scroll.move_child(advice, before=reasons)
            else:
                scroll.move_child(advice, after=self.query_one("#ref-red-flags"))
        self._section("ref-advice", _bullets(
            "What to do now:", (_cited(a.text, a.source_ids) for a in triage.advice),
            numbered=True,
        ))
        self._section("ref-reasons", _bullets(
            "Why this level:",
            (_cited(rule.reason, rule.source_ids) for rule in referral.deciding),
        ))
        self._section("ref-red-flags", self._red_flags(results))
        self._section("ref-context", _bullets(
            "Also noted (context, not the headline):",
            (_cited(f"({CONTEXT_LEVEL[rule.urgency]}) {rule.reason}", rule.source_ids)
             for rule in referral.context),
        ) if referral.context else None)
        self._section("ref-foods", self._foods(results))
        self._section("ref-interactions", _bullets(
            "Medicine cautions:",
            (_cited(f"{i.label}: {i.effect} {i.advice}", i.source_ids)
             for i in triage.interactions),
        ) if triage.interactions else None)
        self._section("ref-kidney", self._kidney(results))
        self._section("ref-serum", self._serum(results))
        self._section("ref-pattern", self._pattern(results))
        self._section("ref-sources", self._sources(results))
        # The footer shows "a Ask red flags" only while there is one to ask.
        self.refresh_bindings()

    def _red_flags(self, results: Results) -> Text | None:
        """Red flags present, and a tick once every flag is asked (the unasked ones are in
        the pinned headline)."""
        kb = self.magtui.kb
        triage = results.triage
        lines: list[Text] = []
        if triage.red_flags:
            line = Text("Red flags present: ", style="bold")
            line.append(" · ".join(kb.findings[f].label for f in triage.red_flags), style="")
            lines.append(line)
        if not triage.unasked_red_flags:
            lines.append(Text("✓ Every red flag has been asked."))
        return Text("\n").join(lines) if lines else None

    @staticmethod
    def _diet_shown(results: Results) -> bool:
        """The food table goes with the plan's diet advice, and only with it (design.md §5)."""
        return any(a.id == DIET_ADVICE_ID for a in results.triage.advice)

    def _foods(self, results: Results) -> Group | None:
        if not self._diet_shown(results):
            return None
        foods = self.magtui.kb.foods
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
        table.add_column("Food")
        table.add_column("Serving")
        table.add_column("Magnesium per serving", justify="right")
        for food in foods:
            table.add_row(food.name, food.serving, f"{food.mg:g} mg")
        title = Text()
        title.append("Food sources of magnesium (mg of magnesium per serving)", style=HEADING)
        title.append_text(_cite(s for food in foods for s in food.source_ids))
        return Group(title, table)

    def _kidney(self, results: Results) -> Text:
        kidney = results.kidney
        text = Text()
        text.append("What kidney function changes:", style=HEADING)
        text.append("\n")
        text.append(banner_text(kidney), style="bold")
        text.append("\n")
        text.append_text(_cited(kidney.caution, kidney.sources))
        return text

    def _serum(self, results: Results) -> Text | None:
        serum = results.serum
        if serum is None:
            return None
        text = Text()
        text.append("Serum magnesium:", style=HEADING)
        text.append(
            f"\n{serum.value:g} {serum.unit} = {conversions_text(serum)} — {serum.band.label}\n"
        )
        text.append_text(_cited(serum.band.action, serum.sources))
        text.append("\nBands are adult, non-obstetric; lab reference ranges vary.", style="dim")
        return text

    def _pattern(self, results: Results) -> Group:
        triage = results.triage
        rows = [
            _cited(f"{e.label} → supports {e.supports}: {e.note}", [e.source])
            for e in triage.explanation
        ]
        if not rows:
            rows = [Text("No finding marked present yet.")]
        return _bullets(PATTERN_MEANING[triage.pattern], rows)

    def _sources(self, results: Results) -> Group:
        # Every source of the decision, then any further id cited on this screen (foods,
        # findings) so that each bracketed id above resolves here.
        triage = results.triage
        ids = list(triage.sources)
        ids += [e.source for e in triage.explanation]
        if self._diet_shown(results):
            ids += [s for food in self.magtui.kb.foods for s in food.source_ids]
        ids += [s for rule in triage.referral.fired for s in rule.source_ids]
        ids += [s for a in triage.advice for s in a.source_ids]
        ids += [s for i in triage.interactions for s in i.source_ids]
        return _bullets("Sources:", (source_line(self.magtui.kb, s)
                                     for s in dict.fromkeys(ids)))

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "ask_red_flags":
            results = self.magtui.results
            return bool(results and results.triage.unasked_red_flags)
        return True

    async def action_ask_red_flags(self) -> None:
        results = self.magtui.results
        unasked = results.triage.unasked_red_flags if results else ()
        await self.magtui.action_area("triage")
        if unasked:
            # The triage screen is the active screen now; wait for it to be laid out.
            self.app.call_after_refresh(self._highlight_in_triage, unasked[0])

    def _highlight_in_triage(self, finding_id: str) -> None:
        try:
            findings = self.app.screen.query_one("#findings", FindingList)
        except NoMatches:
            return  # the user has already moved on to another area
        index = findings.get_option_index(finding_id)
        findings.highlighted = index
        findings.scroll_to_highlight()
        findings.focus()
