"""Command palette (ctrl+p): areas, findings, supplement forms and KB records.

Each command changes the consultation only through `app.update()`, exactly as the screens do,
so the results (and the note) are re-evaluated the same way whichever route the user takes.

A finding, form or KB record is also found by its synonyms in the KB (drug and brand names,
plain words: "omeprazole", "drowsy"), matched as the KB search matches them
(`magtui.knowledge.search`). The palette then shows the command under the record's own
label, with the synonym that matched in its help ("omeprazole → Long-term PPI …").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import FuzzySearch, Matcher
from textual.markup import escape

from magtui.clinical.triage import FindingState
from magtui.consultation import Consultation, answered_on_f3
from magtui.knowledge.search import (
    fold,
    query_words,
    record_synonyms,
    record_title,
    synonym_match,
)
from magtui.text import one_line, shorten

if TYPE_CHECKING:
    from magtui.ui.app import MagtuiApp

AREA_COMMANDS: tuple[tuple[str, str, str], ...] = (
    # (mode, palette text, help)
    ("triage", "Go to Triage checklist (F2)", "Mark findings present, absent or not asked"),
    ("patient", "Go to Patient & kidney (F3)", "Age, sex, pregnancy, eGFR or creatinine, dialysis"),
    ("dose", "Go to Dose calculator (F4)", "Elemental magnesium against the RDA and the UL"),
    ("referral", "Go to Referral guidance (F5)", "Urgency, reasons, advice and sources"),
    ("knowledge", "Go to Knowledge base (F6)", "Search and read every KB record and source"),
    ("note", "Go to Session note (F7)", "Preview the note and write free text"),
)
KB_TITLE_CHARS = 70
"""Palette lines stay on one line; the knowledge area shows the record in full."""


@dataclass(frozen=True, slots=True)
class Command:
    text: str
    run: Callable[[], object]
    help: str
    subject: str = ""
    """The KB record's own label or name (shown with a synonym that matched)."""
    synonyms: tuple[str, ...] = ()
    """The record's other names in the KB; the query is matched against them too."""


def _help(text: str) -> str:
    """Help text as the palette shows it: one line, and never read as markup (the palette
    parses help as Textual markup; KB text is shown as written)."""
    return escape(one_line(text))


def _highlight(matcher: Matcher, text: str) -> Content:
    """The command's text with the letters the query matched highlighted, as
    `Matcher.highlight` does, but taken as plain text, never as markup."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if score:
        for offset in offsets:
            if not text[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class MagtuiCommands(Provider):
    """Areas, findings (present / absent), supplement forms and KB records."""

    @property
    def magtui(self) -> MagtuiApp:
        return cast("MagtuiApp", self.app)

    # ------------------------------------------------------------------ what each does

    def _go(self, mode: str) -> Callable[[], Awaitable[None]]:
        return lambda: self.magtui.action_area(mode)

    def _mark(self, finding_id: str, state: FindingState) -> Callable[[], None]:
        def change(consultation: Consultation) -> None:
            consultation.mark(finding_id, state)  # as a key would: leaves a denied group

        def mark() -> None:
            # As on the checklist: what the patient details answer is changed only on F3.
            results = self.magtui.results
            elsewhere = answered_on_f3(self.magtui.kb, results.triage) if results else {}
            if finding_id in elsewhere:
                self.magtui.notify(elsewhere[finding_id][1], severity="warning", markup=False)
            else:
                self.magtui.update(change)

        return mark

    def _dose_with(self, form_id: str) -> Callable[[], Awaitable[None]]:
        def change(consultation: Consultation) -> None:
            consultation.dose.form_id = form_id

        async def run() -> None:
            self.magtui.update(change)
            await self.magtui.action_area("dose")

        return run

    def _open_record(self, table: str, record_id: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            # Imported here: the palette must not load the KB screen until it is used.
            from magtui.ui.screens.knowledge import KnowledgeScreen

            await self.magtui.action_area("knowledge")
            screen = self.magtui.screen
            if isinstance(screen, KnowledgeScreen):
                screen.show_record(table, record_id)

        return run

    # ------------------------------------------------------------------ the list

    def commands(self) -> Iterator[Command]:
        """Every command, in the order discovery shows them."""
        kb = self.magtui.kb
        for mode, text, help_text in AREA_COMMANDS:
            yield Command(text, self._go(mode), help_text)
        results = self.magtui.results
        # The answers as they count (those the patient details give included).
        states = results.triage.states if results else self.magtui.consultation.states
        for finding in kb.findings.values():
            now = states.get(finding.id, "not_asked").replace("_", " ")
            help_text = f"{finding.question} (now: {now})"
            yield Command(f"Mark present: {finding.label}",
                          self._mark(finding.id, "present"), help_text,
                          finding.label, finding.synonyms)
            yield Command(f"Mark absent: {finding.label}",
                          self._mark(finding.id, "absent"), help_text,
                          finding.label, finding.synonyms)
        for form in kb.forms.values():
            yield Command(
                f"Dose with {form.name}",
                self._dose_with(form.id),
                f"{form.elemental_fraction * 100:.1f} % elemental magnesium; opens the dose "
                "calculator",
                form.name,
                form.synonyms,
            )
        for table, records in kb.tables().items():
            for record in records:
                record_id = str(getattr(record, "id", ""))
                title = record_title(record)
                yield Command(
                    f"KB: {table} · {shorten(title, KB_TITLE_CHARS)}",
                    self._open_record(table, record_id),
                    f"Open {table} record '{record_id}' in the knowledge base (F6)",
                    title,
                    record_synonyms(record),
                )

    async def discover(self) -> Hits:
        # KB records are many; they appear once the user types (search), not in the list.
        for command in self.commands():
            if not command.text.startswith("KB: "):
                yield DiscoveryHit(Content(command.text), command.run, text=command.text,
                                   help=_help(command.help))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        words = query_words(query)
        folded = " ".join(words)
        synonyms = FuzzySearch()  # scores a synonym as the palette scores a command's text
        for command in self.commands():
            score = matcher.match(command.text)
            synonym = synonym_match(words, command.synonyms) if command.synonyms else None
            synonym_score = synonyms.match(folded, fold(synonym))[0] if synonym else 0.0
            if synonym is not None and synonym_score > score:
                # Found by another name: the command keeps its own text; the help says which.
                yield Hit(synonym_score, Content(command.text), command.run,
                          text=command.text,
                          help=_help(f"{synonym} → {command.subject} · {command.help}"))
            elif score > 0:
                yield Hit(score, _highlight(matcher, command.text), command.run,
                          text=command.text, help=_help(command.help))
