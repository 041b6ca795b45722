"""Built for thumbs: a 360 × 740 phone in Thai, tap targets, the add-to-cart bar, postcode first."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_backoffice_journey import sign_in
from tests.browser.test_browse_catalogue import assert_fits_the_screen

SCREEN_HEIGHT = 740
CONTACT = {"#contact_name": "สมศรี รักษ์ผ้า", "#email": "somsri-thumbs@example.com", "#phone": "089 893 9397",
           "#address_line": "1346 ถนนอัครเทศ"}


def box(page: Page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not on the page"
    return found


def small_targets(page: Page, selector: str) -> list[str]:
    """The targets (or, for radios and checkboxes, their labels) less than 44 px either way."""
    return page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector)).filter(el => el.offsetParent !== null)
             .map(el => {
               let target = el;
               if (el.type === 'radio' || el.type === 'checkbox') {
                 const label = el.labels && el.labels[0];
                 const a = el.getBoundingClientRect(), b = label ? label.getBoundingClientRect() : a;
                 const w = Math.max(a.width, b.width), h = Math.max(a.height, b.height);
                 return [el.outerHTML.slice(0, 80), w, h];
               }
               const r = target.getBoundingClientRect();
               return [el.outerHTML.slice(0, 80), r.width, r.height];
             })
             .filter(([, w, h]) => w < 44 || h < 44).map(([html, w, h]) => `${html} ${w}x${h}`)""",
        selector,
    )
