"""The Textual app. Imported only when the TUI starts (never by the CLI's calculations)."""
