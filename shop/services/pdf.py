"""HTML to PDF with WeasyPrint (Debian's Pango underneath) and the Thai fonts the setup installs."""
from __future__ import annotations

from flask import render_template
from flask_babel import force_locale

# Sarabun where installed; TLWG's Laksaman is the same design and ships with fonts-thai-tlwg.
THAI_FONTS = '"Sarabun", "TH Sarabun New", "Laksaman", "Garuda", sans-serif'


def render_pdf(template: str, lang: str, **context) -> bytes:
    """templates/<template> rendered in `lang`, then laid out as an A4 PDF."""
    with force_locale(lang):
        html = render_template(template, lang=lang, fonts=THAI_FONTS, **context)
    return lay_out(html)


def lay_out(html: str) -> bytes:
    """The page laid out as a PDF (the templates' own CSS sets A4). The same HTML gives the same bytes."""
    # WeasyPrint takes about a second to import: only the processes that make a PDF pay for it.
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
