"""The consultation's areas: key, screen and label, written once for the app and its screens."""

from __future__ import annotations

AREAS: dict[str, tuple[str, str, str]] = {
    # mode: (key, module:class, label)
    "triage": ("f2", "magtui.ui.screens.triage:TriageScreen", "Triage"),
    "patient": ("f3", "magtui.ui.screens.patient:PatientScreen", "Patient"),
    "dose": ("f4", "magtui.ui.screens.dose:DoseScreen", "Dose"),
    "referral": ("f5", "magtui.ui.screens.referral:ReferralScreen", "Referral"),
    "knowledge": ("f6", "magtui.ui.screens.knowledge:KnowledgeScreen", "KB"),
    "note": ("f7", "magtui.ui.screens.note:NoteScreen", "Note"),
}


def area_of(screen: object) -> str | None:
    """The mode whose screen this is (by its class name), or None for a dialog."""
    name = type(screen).__name__
    return next((mode for mode, (_, target, _) in AREAS.items()
                 if target.split(":")[1] == name), None)
