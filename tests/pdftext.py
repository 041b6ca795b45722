"""Reading a PDF's text with pdftotext (Debian's poppler-utils), as a person's copy-paste would.

Thai text comes out of a PDF with its marks above and below the line (tone marks, some vowels)
sometimes reordered, and sara am (ำ) split in two, whatever the font. So Thai is compared by
its skeleton: the base letters and digits in order, marks and spaces left out.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest

THAI_MARKS = {chr(c) for c in (0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F))}


def pdf_text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is missing: apt-get install poppler-utils (scripts/test.sh does)", pytrace=False)
    assert pdf.startswith(b"%PDF-"), pdf[:40]
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60).stdout.decode()


def skeleton(text: str) -> str:
    return "".join(ch for ch in text.replace("ำ", "า") if ch not in THAI_MARKS and not ch.isspace())


def assert_says(pdf_or_text: bytes | str, *phrases: str) -> None:
    text = pdf_text(pdf_or_text) if isinstance(pdf_or_text, bytes) else pdf_or_text
    found = skeleton(text)
    missing = [phrase for phrase in phrases if skeleton(phrase) not in found]
    assert not missing, f"{missing} not in:\n{text}"
