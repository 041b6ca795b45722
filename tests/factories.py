"""One-line makers of centres, categories and products for tests."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from shop.extensions import db
from shop.models import Category, Centre, Product, Variant

_seq = itertools.count(1)
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def make_centre(slug: str | None = None, **fields) -> Centre:
    n = next(_seq)
    centre = Centre(
        slug=slug or f"centre-{n}",
        name_th=fields.pop("name_th", f"ศูนย์ทดสอบ {n}"),
        name_en=fields.pop("name_en", f"Test centre {n}"),
        province_code=fields.pop("province_code", "84"),
        province_th=fields.pop("province_th", "สุราษฎร์ธานี"),
        province_en=fields.pop("province_en", "Surat Thani"),
        region=fields.pop("region", "south"),
        story_th=fields.pop("story_th", "เรื่องราวของศูนย์"),
        story_en=fields.pop("story_en", "The centre's story"),
        free_shipping_from_satang=fields.pop("free_shipping_from_satang", 100000),
        **fields,
    )
    db.session.add(centre)
    return centre


def make_category(slug: str | None = None, **fields) -> Category:
    n = next(_seq)
    category = Category(slug=slug or f"category-{n}", name_th=f"หมวด {n}", name_en=f"Category {n}", **fields)
    db.session.add(category)
    return category


def make_product(
    centre: Centre | None = None,
    category: Category | None = None,
    *,
    prices: tuple[int, ...] = (45000,),
    stock: int | tuple[int, ...] = 5,
    commit: bool = True,
    **fields,
) -> Product:
    """A product with one variant per price (satang); `stock` per variant."""
    n = next(_seq)
    stocks = stock if isinstance(stock, tuple) else (stock,) * len(prices)
    product = Product(
        centre=centre or make_centre(),
        category=category or make_category(),
        slug=fields.pop("slug", f"product-{n}"),
        name_th=fields.pop("name_th", f"สินค้าทดสอบ {n}"),
        name_en=fields.pop("name_en", f"Test product {n}"),
        created_at=fields.pop("created_at", _EPOCH + timedelta(minutes=n)),
        **fields,
    )
    for i, (price, units) in enumerate(zip(prices, stocks, strict=True)):
        product.variants.append(
            Variant(sku=f"SKU-{n}-{i}", name_th=f"แบบ {i}", name_en=f"Option {i}", price_satang=price, stock_on_hand=units, position=i)
        )
    db.session.add(product)
    if commit:
        db.session.commit()
    return product


def thai_details(email: str = "buyer@example.com"):
    """Valid checkout details: the association's own address in Bang Kapi, Bangkok."""
    from shop.services.ordering.checkout import CheckoutDetails
    from shop.services.thai import validate_address
    from shop.services.trust import PRIVACY_NOTICE_VERSION

    return CheckoutDetails(
        email=email,
        contact_name="สมชาย ใจดี",
        phone="0812345678",
        address_line="1346 ถนนอัครเทศ",
        address=validate_address("10", "บางกะปิ", "คลองจั่น", "10240"),
        privacy_consent_at=datetime.now(UTC), privacy_notice_version=PRIVACY_NOTICE_VERSION,
    )


def cart_with(*items: tuple[int, int], user_id: int | None = None):
    """A cart holding (variant_id, quantity) pairs."""
    from shop.services.ordering import cart as carts

    cart = carts.new_cart(user_id)
    for variant_id, quantity in items:
        carts.add_item(cart, variant_id, quantity)
    return cart


def place(cart, key: str | None = None, **kwargs):
    """Place an order for this cart as a guest paying by PromptPay transfer."""
    import secrets

    from shop.services.ordering import cart as carts
    from shop.services.payments import place_order

    fingerprint = kwargs.pop("fingerprint", None) or carts.summarise(cart).fingerprint()
    return place_order(
        cart,
        kwargs.pop("details", None) or thai_details(),
        payment_method=kwargs.pop("payment_method", "promptpay_transfer"),
        idempotency_key=key or secrets.token_hex(16),
        expected_fingerprint=fingerprint,
        user_id=kwargs.pop("user_id", None),
        lang=kwargs.pop("lang", "th"),
        **kwargs,
    )
