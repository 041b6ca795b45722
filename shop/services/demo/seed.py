"""Loading the demo catalogue (idempotent) and scaling it up for benchmarks."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import geothai
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Category, Centre, Product, ProductImage, User, Variant
from shop.services.catalog.media import EncodedImage, encode_image, store_encoded
from shop.services.demo.data import CATEGORIES, CENTRE_STORY_EN, CENTRE_STORY_TH, CENTRES, PRODUCTS
from shop.services.demo.placeholder import placeholder_image

Progress = Callable[[str], None]
# Demo products that also get a photo of each option (Surat Thani's real product line).
GALLERY_DEMOS = frozenset({"leaf-printed-cloth", "leaf-print-scarf"})
DEMO_EPOCH = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


@lru_cache(maxsize=128)
def _demo_photo(slug: str, category: str) -> EncodedImage:
    return encode_image(placeholder_image(slug, category))


def province_by_english_name(name_en: str) -> geothai.Province:
    for province in geothai.provinces():
        if province.name_en.lower() == name_en.lower():
            return province
    raise LookupError(f"no province called {name_en!r} in geothai")


def seed_demo(media_folder: str, progress: Progress = lambda _msg: None) -> dict[str, int]:
    """Create the demo centres, categories and products that are missing; return counts made."""
    made = {"centres": 0, "categories": 0, "products": 0, "variants": 0, "images": 0}
    centres = {c.slug: c for c in db.session.scalars(select(Centre))}
    for slug, province_en, region, province_th in CENTRES:
        if slug in centres:
            continue
        province = province_by_english_name(province_en)
        centres[slug] = Centre(
            slug=slug,
            name_th=f"ศูนย์เรียนรู้ Relearning Space {province_th}",
            name_en=f"Relearning Space {province_en}",
            province_code=province.code,
            province_th=province.name_th,
            province_en=province.name_en,
            region=region,
            library_th=f"ห้องสมุดประชาชนจังหวัด{province_th}",
            library_en=f"{province_en} Provincial Public Library",
            story_th=CENTRE_STORY_TH.format(province=province_th),
            story_en=CENTRE_STORY_EN.format(province=province_en),
            address_th=f"อำเภอเมือง{province_th} จังหวัด{province_th} (ที่อยู่ตัวอย่าง)",
            address_en=f"Mueang {province_en} district, {province_en} (demo address)",
            contact_phone="089 893 9397",
            contact_line="tla2497",
            shipping_fee_satang=5000,
            free_shipping_from_satang=100000,
        )
        db.session.add(centres[slug])
        made["centres"] += 1
    progress(f"centres: {len(centres)} ({made['centres']} new)")

    categories = {c.slug: c for c in db.session.scalars(select(Category))}
    for position, (slug, name_th, name_en) in enumerate(CATEGORIES):
        if slug not in categories:
            categories[slug] = Category(slug=slug, name_th=name_th, name_en=name_en, position=position)
            db.session.add(categories[slug])
            made["categories"] += 1
    progress(f"categories: {len(categories)} ({made['categories']} new)")

    existing = set(db.session.scalars(select(Product.slug)))
    total = len(PRODUCTS)
    for index, row in enumerate(PRODUCTS, start=1):
        centre_slug, category_slug, slug, name_th, name_en, desc_th, desc_en, stars, featured, variants = row
        if slug in existing:
            continue
        product = Product(
            centre=centres[centre_slug],
            category=categories[category_slug],
            slug=slug,
            name_th=name_th,
            name_en=name_en,
            description_th=desc_th + "\n\n(สินค้าตัวอย่าง)",
            description_en=desc_en + "\n\n(Demo product.)",
            otop=stars is not None,
            otop_stars=stars,
            featured=featured,
            created_at=DEMO_EPOCH - timedelta(hours=index),
        )
        for position, (suffix, v_th, v_en, price_baht, stock) in enumerate(variants):
            product.variants.append(
                Variant(
                    sku=f"{slug}-{suffix}".upper()[:64],
                    name_th=v_th,
                    name_en=v_en,
                    price_satang=price_baht * 100,
                    stock_on_hand=stock,
                    position=position,
                )
            )
            made["variants"] += 1
        stored = store_encoded(media_folder, _demo_photo(slug, category_slug))
        product.images.append(
            ProductImage(
                filename=stored.filename,
                thumb_filename=stored.thumb_filename,
                width=stored.width,
                height=stored.height,
                renditions=stored.renditions,
                alt_th=f"ภาพตัวอย่างของ{name_th}",
                alt_en=f"Demo picture of the {name_en.lower()}",
            )
        )
        made["images"] += 1
        if slug in GALLERY_DEMOS:  # a photo of each option too, to show a gallery
            for position, variant in enumerate(product.variants, start=1):
                stored = store_encoded(media_folder, _demo_photo(variant.sku.lower(), category_slug))
                product.images.append(ProductImage(
                    filename=stored.filename, thumb_filename=stored.thumb_filename, width=stored.width,
                    height=stored.height, renditions=stored.renditions, variant=variant, position=position,
                    alt_th=f"ภาพตัวอย่างของ{name_th} {variant.name_th}",
                    alt_en=f"Demo picture of the {name_en.lower()}, {variant.name_en.lower()}",
                ))
                made["images"] += 1
        db.session.add(product)
        made["products"] += 1
        progress(f"products: {index}/{total} {slug}")
    db.session.commit()
    return made


def scale_catalogue(target: int, progress: Progress = lambda _msg: None, batch: int = 500) -> int:
    """Copy demo products (sharing their images) until there are `target` products; for benchmarks."""
    count = db.session.scalar(select(func.count(Product.id))) or 0
    templates = list(db.session.scalars(select(Product).where(~Product.slug.contains("-copy-"))))
    if not templates:
        raise RuntimeError("no products to copy: run `flask --app run.py seed-demo` first")
    made = 0
    while count < target:
        template = templates[count % len(templates)]
        copy_no = count
        product = Product(
            centre_id=template.centre_id,
            category_id=template.category_id,
            slug=f"{template.slug}-copy-{copy_no}",
            name_th=f"{template.name_th} แบบที่ {copy_no}",
            name_en=f"{template.name_en} no. {copy_no}",
            description_th=template.description_th,
            description_en=template.description_en,
            otop=template.otop,
            otop_stars=template.otop_stars,
            created_at=DEMO_EPOCH - timedelta(days=30, minutes=copy_no),
        )
        for variant in template.variants:
            product.variants.append(
                Variant(
                    sku=f"{variant.sku}-C{copy_no}"[:64],
                    name_th=variant.name_th,
                    name_en=variant.name_en,
                    price_satang=variant.price_satang + (copy_no % 7) * 100,
                    stock_on_hand=variant.stock_on_hand,
                    position=variant.position,
                )
            )
        for image in template.images:
            if image.variant_id is not None:  # an option's photo belongs to the template's option
                continue
            product.images.append(
                ProductImage(
                    filename=image.filename,
                    thumb_filename=image.thumb_filename,
                    width=image.width,
                    height=image.height,
                    renditions=image.renditions,
                    alt_th=image.alt_th,
                    alt_en=image.alt_en,
                )
            )
        db.session.add(product)
        count += 1
        made += 1
        if made % batch == 0:
            db.session.commit()
            progress(f"products: {count}/{target}")
    db.session.commit()
    progress(f"products: {count}/{target}")
    return made


DEMO_ADMIN = ("admin@relearn.example", "relearn-admin")


def demo_accounts() -> list[tuple[str, str, str]]:
    """(email, password, what) of the demo sign-ins: public demo data, never for production."""
    accounts = [(DEMO_ADMIN[0], DEMO_ADMIN[1], "association admin")]
    for slug, province_en, _region, _th in CENTRES:
        accounts.append((f"staff-{slug}@relearn.example", f"relearn-{slug}", f"staff, {province_en}"))
    return accounts


def seed_demo_accounts() -> int:
    """One staff member per demo centre and one admin; existing accounts are left alone."""
    existing = set(db.session.scalars(select(User.email)))
    centres = {c.slug: c for c in db.session.scalars(select(Centre))}
    made = 0
    for email, password, _what in demo_accounts():
        if email in existing:
            continue
        slug = email.removeprefix("staff-").split("@")[0]
        user = User(email=email, name=email.split("@")[0], role="admin" if email == DEMO_ADMIN[0] else "staff",
                    centre_id=None if email == DEMO_ADMIN[0] else centres[slug].id)
        user.set_password(password)
        db.session.add(user)
        made += 1
    db.session.commit()
    return made
