"""The kidney-risk banner: words and a symbol, never colour alone, on every screen once known."""

from __future__ import annotations

from textual.widgets import Static

from magtui.clinical.renal import KidneyAssessment, kidney_risk_label


def banner_text(kidney: KidneyAssessment) -> str:
    egfr = f" (eGFR {kidney.egfr:g} mL/min/1.73 m²)" if kidney.egfr is not None else ""
    basis = {"dialysis": " (on dialysis)", "reported_disease": " (kidney disease reported)"}
    return (
        f"{kidney_risk_label(kidney.risk)}"
        f"{egfr}{basis.get(kidney.basis, '')} — {kidney.headline}"
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
