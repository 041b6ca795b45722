"""axe-core (vendored in tests/vendor/axe-core, MPL-2.0) finds no accessibility violations on the
main pages, in Thai on a 360 x 740 phone: the shop a customer sees and the back office staff use."""
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_backoffice_journey import sign_in
from tests.browser.test_checkout_journey import add_to_cart, check_out

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe_phone(browser):
    """A Thai phone whose pages accept the injected axe script (the shop's CSP refuses inline scripts)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1, is_mobile=True,
                                  bypass_csp=True, locale="th-TH")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def violations(page: Page) -> list[str]:
    """What axe-core reports on the page as it is now: one line per rule and element."""
    page.add_script_tag(path=str(AXE))
    result = json.loads(page.evaluate("async () => JSON.stringify(await axe.run(document))"))
    assert len(result["passes"]) >= 10, f"axe-core hardly checked {page.url}"  # it really ran
    found = []
    for rule in result["violations"]:
        for node in rule["nodes"]:
            found.append(f"{rule['id']} ({rule['impact']}): {rule['help']} at {node['target']} {node['failureSummary'][:200]}")
    return found


def test_the_check_finds_violations_where_there_are_some(axe_phone):
    """Proof that the check below can fail: an unlabelled image and an empty link are reported."""
    axe_phone.set_content('<html lang="th"><head><title>t</title></head><body><main><h1>t</h1>'
                          '<img src="x.png"><a href="/x"></a><p>a</p><p>b</p><p>c</p></main></body></html>')
    rules = {line.split(" ")[0] for line in violations(axe_phone)}
    assert {"image-alt", "link-name"} <= rules


def check(page: Page, url: str, report: dict[str, list[str]]) -> None:
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", "th")
    report[url] = violations(page)


def test_axe_core_finds_no_violations_on_the_main_pages_in_thai_at_360px(live_server, axe_phone, new_phone):
    assert AXE.read_bytes().startswith(b"/*! axe v"), "tests/vendor/axe-core/axe.min.js is missing"
    page, base, report = axe_phone, live_server, {}
    for path in ("/", "/products", "/products/leaf-printed-cloth", "/account/sign-in",
                 "/shipping-and-returns", "/privacy", "/contact"):
        check(page, base + path, report)
    add_to_cart(page, base, "leaf-printed-cloth")
    check(page, base + "/cart", report)
    check(page, base + "/checkout", report)
    page.goto(base + "/cart")
    number = check_out(page)
    check(page, page.url, report)
    assert number in page.url

    sign_in(page, base, "admin@relearn.example", "relearn-admin")
    for path in ("/backoffice/products", "/backoffice/shipments", "/backoffice/payments", "/backoffice/audit"):
        check(page, base + path, report)

    found = {re.sub(r"\?key=.*", "", url): problems for url, problems in report.items() if problems}
    assert not found, "axe-core violations:\n" + "\n".join(f"{url}\n  " + "\n  ".join(p) for url, p in found.items())
    assert len(report) == 14
