"""Pure clinical functions: units, renal (eGFR), intake (RDA/UL), dosing, serum, triage, referral.

No Textual, no TinyDB, no I/O: knowledge comes in as validated models, decisions go out as
value objects that carry their reasons and source ids. The CLI, the TUI and the note all render
these objects; none of them recomputes or rewords a decision.
"""
