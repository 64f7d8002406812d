"""Real, small bill PDFs (they open in a PDF reader and show the account and document date)."""

from __future__ import annotations

from datetime import datetime, timezone

from fpdf import FPDF

__all__ = ["render_bill"]

_FIXED = datetime(2026, 1, 1, tzinfo=timezone.utc)  # reproducible bytes for the same bill


def render_bill(partner_title: str, account_number: str, document_date: str, lines: list[tuple[str, str]]) -> bytes:
    pdf = FPDF(format="Letter")
    pdf.set_creation_date(_FIXED)
    pdf.set_title(f"Bill {account_number} {document_date}")
    pdf.set_author("partnersim sandbox")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, f"{partner_title} - billing statement", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 8, f"Account: {account_number}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, f"Document date: {document_date}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for label, value in lines:
        pdf.cell(70, 7, label)
        pdf.cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "I", 9)
    pdf.cell(0, 6, "Synthetic document served by the partnersim sandbox.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
