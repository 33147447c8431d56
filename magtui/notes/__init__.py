"""Session notes: the record of a consultation, its rendering, and its durable storage.

- `session`: `SessionNote`, plain JSON-serialisable data (no live objects).
- `build`: `build_note`, which copies values and wording out of the clinical results.
- `render`: `to_markdown` (for a clinical record), `to_json` / `from_json` (exact round trip).
- `store`: atomic, never-overwriting saves, listing and loading, and the autosaved draft.
- `errors`: `NoteError` and its kinds, each a one-line message.

Nothing here imports Textual; this module imports nothing, so `import magtui.notes` is free.
"""
