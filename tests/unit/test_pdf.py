"""shop/services/pdf.py: HTML laid out as a PDF. The tests keep each distinct page's PDF once per
process (tests/conftest.py), which is sound only because the same HTML always gives the same bytes."""
from shop.services import pdf
from tests.pdftext import assert_says

PAGE = "<html><head><style>@page { size: A4 } body { font-family: %s }</style></head><body><p>%s</p></body></html>"


def _real_lay_out(html: str) -> bytes:
    return getattr(pdf.lay_out, "__wrapped__", pdf.lay_out)(html)  # WeasyPrint itself, not the tests' kept copies


def test_the_same_html_gives_the_same_bytes_and_other_html_other_bytes():
    page = PAGE % (pdf.THAI_FONTS, "ใบเสร็จรับเงิน เลขที่ RC-2026-000123")
    first, second = _real_lay_out(page), _real_lay_out(page)
    assert first.startswith(b"%PDF-") and first == second
    other = _real_lay_out(PAGE % (pdf.THAI_FONTS, "ใบเสร็จรับเงิน เลขที่ RC-2026-000124"))
    assert other != first
    assert_says(first, "ใบเสร็จรับเงิน", "RC-2026-000123")
    assert_says(other, "RC-2026-000124")


def test_the_tests_keep_a_pdf_per_page_and_lay_out_a_new_page_anew():
    """The kept copy answers only for the very same HTML, with what WeasyPrint made of it."""
    page = PAGE % (pdf.THAI_FONTS, "ใบลดหนี้ CN-2026-000007")
    first = pdf.lay_out(page)
    kept = pdf.lay_out.cache_info().hits
    assert pdf.lay_out(page) is first and pdf.lay_out.cache_info().hits == kept + 1
    assert first == _real_lay_out(page)
    other = pdf.lay_out(PAGE % (pdf.THAI_FONTS, "CN-2026-000008"))
    assert pdf.lay_out.cache_info().hits == kept + 1  # a new page is laid out, not looked up
    assert_says(other, "CN-2026-000008")
