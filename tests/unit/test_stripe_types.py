"""mypy checks the Stripe calls against the SDK's typed parameters (stale names, float amounts)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULES = ["shop/services/payments/stripe_checkout.py", "shop/services/ordering/refunds.py"]


def mypy(*paths: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), *paths],
                          cwd=ROOT, capture_output=True, text=True, timeout=240)


def test_the_shops_stripe_calls_type_check(tmp_path):
    bad = tmp_path / "stale_stripe_call.py"
    bad.write_text(
        "import stripe\n"
        "from stripe.params.checkout import SessionCreateParams\n"
        "params: SessionCreateParams = {'mode': 'payment', 'payment_method_types': ['card'],\n"
        "    'line_items': [{'quantity': 1, 'price_data': {'currency': 'thb', 'unit_amount': 450.5,\n"
        "    'product_data': {'name': 'scarf'}}}]}\n"
    )
    result = mypy(*MODULES, str(bad))
    # the shop's own modules are clean; the deliberately stale call is caught on both counts
    own = [line for line in result.stdout.splitlines() if line.startswith("shop/")]
    assert own == [], result.stdout
    assert "payment_method_types" in result.stdout and "unit_amount" in result.stdout, result.stdout
