"""The kidney-risk banner: words and a symbol, never colour alone, on every screen once known."""

from __future__ import annotations

from textual.widgets import Static

from magtui.clinical.renal import KidneyAssessment, egfr_basis_text, kidney_risk_label


def banner_text(kidney: KidneyAssessment) -> str:
    """`⚠ KIDNEY RISK: CAUTION (eGFR 45 mL/min/1.73 m², entered) — …`: the eGFR says whether
    it was entered or computed from creatinine (CKD-EPI 2021), never claiming the equation
    for an entered figure."""
    egfr = egfr_basis_text(kidney, short=True)
    basis = {"dialysis": " (on dialysis)", "reported_disease": " (kidney disease reported)"}
    return (
        f"{kidney_risk_label(kidney.risk)}"
        f"{f' ({egfr})' if egfr else ''}{basis.get(kidney.basis, '')} — {kidney.headline}"
    )


class KidneyBanner(Static):
    """Hidden until kidney function is known; then always shown at the top of the screen."""

    HELP = "Kidney risk for magnesium, from eGFR, dialysis or reported kidney disease (F3)."

    def show_kidney(self, kidney: KidneyAssessment) -> None:
        self.display = kidney.known
        for risk in ("high", "caution", "low"):
            self.set_class(kidney.risk == risk, f"-risk-{risk}")
        if kidney.known:
            self.update(banner_text(kidney))
