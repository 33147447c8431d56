"""F6 — the knowledge base: live search, every record's fields, and its sources resolved.

Read-only: the KB is shown as loaded (the app never writes kb/). The version and review dates
sit at the top, with a warning in words once the review date has passed.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from magtui import clock
from magtui.clinical.review import review_warning
from magtui.consultation import Results
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.records import Record
from magtui.knowledge.search import record_title, search
from magtui.text import one_line, shorten
from magtui.ui.screens.base import CSS_DIR, AreaScreen
from magtui.ui.widgets.option_list import SteadyOptionList

TABLE_TITLES = {
    "sources": "Sources",
    "intake": "Intake (RDA/AI and supplemental UL)",
    "forms": "Supplement forms",
    "findings": "Triage findings",
    "serum_bands": "Serum magnesium bands",
    "kidney": "Kidney-risk bands",
    "interactions": "Medicine interactions",
    "referral_rules": "Referral rules",
    "foods": "Foods",
    "advice": "Advice",
}
SOURCE_FIELDS = ("source", "see_also")
LIST_TITLE_CHARS = 60
"""Long titles (advice text, rule reasons) are shortened in the list; the detail shows all."""


def record_key(table: str, record_id: str) -> str:
    return f"{table}:{record_id}"


def _value_text(value: Any) -> str:
    """A field value as a clinician reads it; `—` marks a value the KB leaves unset."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(v) for v in value) if value else "—"
    if isinstance(value, dict):
        parts = [f"{k.replace('_', ' ')}: {_value_text(v)}" for k, v in value.items()
                 if v not in (None, [], (), False)]
        return "; ".join(parts) if parts else "—"
    return str(value)


def source_block(kb: KnowledgeBase, source_id: str) -> Text:
    source = kb.sources.get(source_id)
    text = Text(f"[{source_id}] ", style="bold")
    if source is None:
        text.append("not in the knowledge base's source list")
        return text
    text.append(source.title)
    text.append(f"\n  Publisher: {source.publisher}\n  URL: {source.url}\n"
                f"  Accessed: {source.accessed.isoformat()}")
    if source.year is not None:
        text.append(f"\n  Year: {source.year}")
    return text


def record_detail(kb: KnowledgeBase, table: str, record: Record) -> Group:
    """Every field of the record (as validated), then its sources resolved."""
    heading = Text(f"{TABLE_TITLES.get(table, table)} · {record_title(record)}",
                   style="bold underline")
    fields = Table.grid(padding=(0, 1, 0, 0))
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column(ratio=1, overflow="fold")
    for name, value in record.as_dict().items():
        if name in SOURCE_FIELDS:
            continue
        fields.add_row(name.replace("_", " "), Text(_value_text(value)))
    parts: list[Text | Table] = [heading, fields]
    source_ids = [s for s in (getattr(record, "source", None), *getattr(record, "see_also", ()))
                  if s]
    if source_ids:
        parts.append(Text("\nSource" + ("s" if len(source_ids) > 1 else "") + ":",
                          style="bold underline"))
        parts += [source_block(kb, s) for s in source_ids]
    return Group(*parts)


class KbSearch(Input):
    HELP = (
        "Type to filter the knowledge base: every word must appear in the record. "
        "Enter moves to the results; ctrl+f comes back here."
    )


class KbDetail(VerticalScroll):
    HELP = "The selected record's fields and sources. Scroll with ↑/↓, PgUp/PgDn."


class KbResults(SteadyOptionList):
    HELP = (
        "Records matching the search, grouped by table. ↑/↓ shows each one's detail on the "
        "right; enter moves to the detail."
    )


class KnowledgeScreen(AreaScreen):
    CSS_PATH = CSS_DIR / "knowledge.tcss"
    AREA_TITLE = "F6 Knowledge base"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+f", "focus_search", "Search", id="kb.search",
                tooltip="Put the cursor in the knowledge-base search box"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._selected: str | None = None
        """`table:id` of the record shown in the detail pane (kept across new searches)."""
        self._records: dict[str, tuple[str, Record]] = {}

    def body(self) -> ComposeResult:
        yield Static(id="kb-meta")
        yield Static(id="kb-review-warning")
        search_box = KbSearch(
            placeholder="Search every table (all words must match); empty lists everything",
            id="kb-search",
        )
        # A wall-clock blink makes test frames unstable; the app switches it off there.
        search_box.cursor_blink = not getattr(self.app, "cursor_blink_disabled", False)
        yield search_box
        with Horizontal(id="kb-columns"):
            yield KbResults(id="kb-results")
            with KbDetail(id="kb-detail-scroll"):
                yield Static(id="kb-detail")

    def on_mount(self) -> None:
        super().on_mount()
        self._show_meta()
        search_box = self.query_one("#kb-search", Input)
        self.focus_first(search_box)
        wanted = self._selected  # a record the palette asked for before the screen mounted
        self._fill_list(search_box.value)
        if wanted is not None:
            self.focus_first(self.query_one(KbResults))  # as show_record does

    def show_results(self, results: Results) -> None:
        """The KB does not depend on the consultation; only the shared banner changes."""

    # ------------------------------------------------------------------ meta and review

    def _show_meta(self) -> None:
        meta = self.magtui.kb.meta
        self.query_one("#kb-meta", Static).update(Text(
            f"KB {meta.kb_version} · reviewed {meta.reviewed.isoformat()} · "
            f"next review {meta.next_review.isoformat()}"
        ))
        warning = review_warning(meta, clock.today())
        widget = self.query_one("#kb-review-warning", Static)
        widget.display = warning is not None
        if warning is not None:
            widget.update(Text(f"⚠ REVIEW OVERDUE — {warning}"))

    # ------------------------------------------------------------------ list and detail

    def _matches(self, query: str) -> list[tuple[str, Record]]:
        kb = self.magtui.kb
        if not query.strip():
            return [(table, record) for table, records in kb.tables().items()
                    for record in records]
        return [(match.table, match.record) for match in search(kb, query)]

    def _fill_list(self, query: str) -> None:
        matches = self._matches(query)
        self._records = {
            record_key(table, getattr(record, "id", "")): (table, record)
            for table, record in matches
        }
        options: list[Option] = []
        table_counts: dict[str, int] = {}
        for table, _ in matches:
            table_counts[table] = table_counts.get(table, 0) + 1
        current: str | None = None
        for key, (table, record) in self._records.items():
            if table != current:
                current = table
                options.append(Option(
                    Text(f"{TABLE_TITLES.get(table, table)} ({table_counts[table]})",
                         style="bold underline"),
                    disabled=True,
                ))
            options.append(Option(
                Text(f"{table} · {shorten(record_title(record), LIST_TITLE_CHARS)}", no_wrap=True,
                     overflow="ellipsis"),
                id=key,
            ))
        results = self.query_one(KbResults)
        results.clear_options()
        results.add_options(options)
        # The query is typed text: shown neutralised, and as text, never as markup.
        shown = shorten(one_line(query.strip()), 40)
        results.border_title = Content(
            f"{len(self._records)} record{'s' if len(self._records) != 1 else ''}"
            + (f" matching “{shown}”" if shown else "")
        )
        if not self._records:
            self._show_detail(None)
            self.query_one("#kb-detail", Static).update(
                Text(f"No record matches “{shown}”. Every word must appear in the "
                     "record; try fewer or shorter words.")
            )
            return
        key = self._selected if self._selected in self._records else next(iter(self._records))
        results.highlighted = results.get_option_index(key)
        self._show_detail(key)

    def _show_detail(self, key: str | None) -> None:
        self._selected = key
        if key is None or key not in self._records:
            return
        table, record = self._records[key]
        self.query_one("#kb-detail", Static).update(
            record_detail(self.magtui.kb, table, record)
        )
        self.query_one("#kb-detail-scroll", KbDetail).scroll_home(animate=False)

    @on(Input.Changed, "#kb-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._fill_list(event.value)

    @on(Input.Submitted, "#kb-search")
    def _search_submitted(self) -> None:
        self.query_one(KbResults).focus()

    @on(OptionList.OptionHighlighted, "#kb-results")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and event.option.id != self._selected:
            self._show_detail(event.option.id)

    @on(OptionList.OptionSelected, "#kb-results")
    def _selected_option(self) -> None:
        self.query_one(KbDetail).focus()

    def action_focus_search(self) -> None:
        self.query_one("#kb-search", Input).focus()

    # ------------------------------------------------------------------ public

    def show_record(self, table: str, record_id: str) -> None:
        """Show one record (e.g. from the command palette), clearing a search that hides it."""
        self._selected = record_key(table, record_id)
        if not self.is_mounted:
            return  # on_mount fills the list and shows the selected record
        search_box = self.query_one("#kb-search", Input)
        if self._selected not in self._records and search_box.value:
            # Clearing posts Input.Changed, which refills the list again with this selection.
            search_box.value = ""
            self._fill_list("")
        else:
            self._fill_list(search_box.value)
        self.query_one(KbResults).focus()
