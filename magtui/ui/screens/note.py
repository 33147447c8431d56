"""F7 — the session note: the clinician's free text, and a live preview of the saved note.

The status line and the preview are drawn together from one comparison with the last saved
note (`magtui.ui.saving.saved_note_holding`), so they always agree: unchanged since a save,
both name that note and the preview shows it as saved (id and time); changed since, both say
so and the preview shows the draft a ctrl+s would save as a new note.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Static, TextArea

from magtui.consultation import Results, consultation_note
from magtui.notes.render import to_markdown
from magtui.notes.session import CLINICIAN_TEXT_MAX_CHARS
from magtui.notes.store import SavedNote
from magtui.ui.saving import saved_note_holding
from magtui.ui.screens.base import CSS_DIR, AreaScreen

PREVIEW_DELAY_S = 0.3
"""Re-render the preview once typing pauses, not on every keystroke."""
PREVIEW_TITLE = "Preview: the note as it will be saved (Markdown)"


def save_state(last: SavedNote | None, held: SavedNote | None, unsaved: bool) -> tuple[str, str]:
    """(status line, preview title) for the note as it stands against the last saved one;
    each fits one line at 80 columns."""
    if last is None:
        return ("unsaved changes" if unsaved else "no unsaved changes"), PREVIEW_TITLE
    if held is not None:
        # The time as the preview's "Saved:" line gives it (that line also has the date).
        when = held.note.saved_at.strftime("%H:%M:%S") if held.note.saved_at else "?"
        return (f"✓ saved as note {held.note_id} at {when}; no changes since",
                f"Preview: note {held.note_id} as saved (Markdown)")
    return (f"changed since note {last.note_id}: ctrl+s saves it as a new note",
            f"Preview: draft, changed since note {last.note_id} (Markdown)")


def preview_text(markdown: str) -> Text:
    """The note exactly as it will be saved (its Markdown, character for character), with
    the headings in bold so the sections stand out. One Static draws it: a Markdown widget
    builds a widget per block, tens of MiB for a note."""
    text = Text(overflow="fold")
    fence = ""  # the clinician's free text sits in a fence: a "#" typed there is no heading
    for line in markdown.splitlines(keepends=True):
        run = line[: len(line) - len(line.lstrip("`"))]
        if fence and run.startswith(fence) and not line.strip("`\n"):
            fence = ""
        elif not fence and len(run) >= 3:
            fence = run
        heading = not fence and line.startswith("#")
        text.append(line, style="bold" if heading else "")
    return text


class ClinicianText(TextArea):
    HELP = (
        "Free text for the note: what you examined, decided and told the patient. "
        f"At most {CLINICIAN_TEXT_MAX_CHARS:,} characters of plain text. "
        "No names, dates of birth or addresses — use the short patient reference on F3. "
        "ctrl+s saves the note from anywhere."
    )
    max_chars = CLINICIAN_TEXT_MAX_CHARS
    """Read by the app's paste check (`magtui.ui.paste.paste_refusal`)."""


class NoteScreen(AreaScreen):
    CSS_PATH = CSS_DIR / "note.tcss"
    AREA_TITLE = "F7 Session note"
    BINDINGS: ClassVar = []

    _preview_timer: Timer | None = None
    _over_limit = 0
    _save_status = ""
    """What the status line says about saving, drawn with the preview (`_render_preview`)."""
    _status_shown = ""
    """The status line as last drawn (the Static starts empty)."""

    def body(self) -> ComposeResult:
        with Vertical(id="note-columns"):
            yield Static("Clinician's note (saved with the consultation; ctrl+s saves; "
                         f"at most {CLINICIAN_TEXT_MAX_CHARS:,} characters):",
                         id="note-label")
            yield ClinicianText(id="clinician-text", soft_wrap=True, tab_behavior="focus")
            yield Static(id="note-status")
            with VerticalScroll(id="note-preview-box") as box:
                box.border_title = PREVIEW_TITLE
                yield Static(id="note-preview")

    def on_mount(self) -> None:
        text_area = self.query_one(ClinicianText)
        text_area.load_text(self.magtui.consultation.clinician_text)
        text_area.cursor_blink = not self.magtui.cursor_blink_disabled
        super().on_mount()

    def reload_inputs(self) -> None:
        """After a draft restore: show the restored free text."""
        self.query_one(ClinicianText).load_text(self.magtui.consultation.clinician_text)

    def on_screen_resume(self) -> None:
        # Focus goes to the free-text box whenever the area is opened (design §7).
        self.focus_first(self.query_one(ClinicianText))
        self._render_preview()

    @on(TextArea.Changed, "#clinician-text")
    def _typed(self, event: TextArea.Changed) -> None:
        text = event.text_area.text
        over = len(text) - CLINICIAN_TEXT_MAX_CHARS
        # Over the limit the text stays in the box to be shortened, but the note (and its
        # draft) keep the last text that fitted: a note is never cut, nor saved too long.
        self.set_class(over > 0, "-over-limit")
        self._over_limit = over
        self._show_status()
        if over > 0 or text == self.magtui.consultation.clinician_text:
            return

        def change(consultation: object) -> None:
            self.magtui.consultation.clinician_text = text

        self.magtui.update(change)

    def _show_status(self) -> None:
        if self._over_limit > 0:
            status = (f"✗ {self._over_limit:,} characters over the {CLINICIAN_TEXT_MAX_CHARS:,}"
                      "-character limit: shorten the text; the note keeps the last text "
                      "that fitted")
        else:
            status = self._save_status
        # Only a changed line is drawn again: an update lays the area out again, and
        # opening F7 redraws the status every time.
        if status != self._status_shown:
            self._status_shown = status
            self.query_one("#note-status", Static).update(Text(status))

    def show_results(self, results: Results) -> None:
        self._show_status()
        if self._preview_timer is not None:
            self._preview_timer.stop()
        # A hidden note area is brought up to date when it is shown (on_screen_resume):
        # rebuilding the note on every keystroke elsewhere is work nobody sees.
        if self.is_current:
            self._preview_timer = self.set_timer(PREVIEW_DELAY_S, self._render_preview)

    _preview_markdown: str | None = None
    """The note the preview shows, as Markdown."""

    def _render_preview(self) -> None:
        results = self.magtui.results
        if results is None:
            return
        app = self.magtui
        note = consultation_note(app.kb, app.consultation, results)
        # Unchanged since the last save: show that note as saved (its id and time), not a
        # draft that would say "not saved" beside a status that says saved.
        held = saved_note_holding(app, note)
        self._save_status, title = save_state(app.last_saved, held, app.unsaved)
        self._show_status()
        box = self.query_one("#note-preview-box")
        if box.border_title != title:
            box.border_title = title
        markdown = to_markdown(held.note if held is not None else note)
        # Opening the area rebuilds the note; redrawing an unchanged preview (a whole note,
        # laid out again) was most of what made F7 the slowest area to switch to.
        if markdown != self._preview_markdown:
            self._preview_markdown = markdown
            self.query_one("#note-preview", Static).update(preview_text(markdown))
