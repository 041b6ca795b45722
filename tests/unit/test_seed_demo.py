"""`flask seed-demo`: the nine centres and 40+ demo products, idempotent, with progress."""
from pathlib import Path

import sqlalchemy as sa

from shop.extensions import db
from shop.models import Centre, Product, ProductImage, Variant


def snapshot():
    tables = ["centre", "category", "product", "variant", "product_image"]
    return {t: db.session.execute(sa.text(f"SELECT * FROM {t} ORDER BY id")).all() for t in tables}


def test_seed_demo_loads_the_nine_centres_in_four_regions(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    centres = db.session.scalars(sa.select(Centre)).all()
    assert sorted(c.slug for c in centres) == sorted(
        ["lampang", "uttaradit", "phetchabun", "khon-kaen", "ubon-ratchathani",
         "kanchanaburi", "samut-songkhram", "surat-thani", "yala"]
    )
    by_slug = {c.slug: c for c in centres}
    assert by_slug["phetchabun"].region == "north"
    assert by_slug["kanchanaburi"].region == "central"
    assert by_slug["surat-thani"].province_th == "สุราษฎร์ธานี"
    assert by_slug["surat-thani"].province_code == "84"
    assert {c.region for c in centres} == {"north", "northeast", "central", "south"}


def test_seed_demo_makes_forty_products_with_variants_and_images_on_disk(runner, app):
    result = runner.invoke(args=["seed-demo"])
    assert "products: 42/42" in result.output  # progress is printed
    assert "staff-surat-thani@relearn.example" in result.output
    assert "DEMO" in result.output
    products = db.session.scalars(sa.select(Product)).all()
    assert len(products) >= 40
    assert all(p.variants for p in products), "a product with no options still has one variant"
    assert len({p.centre_id for p in products}) == 9
    cloth = db.session.scalar(sa.select(Product).where(Product.slug == "leaf-printed-cloth"))
    assert cloth.centre.slug == "surat-thani"
    assert "ผ้าพิมพ์ใบไม้" in cloth.name_th
    assert len(cloth.variants) >= 3
    assert all(isinstance(v.price_satang, int) for v in cloth.variants)
    media = Path(app.config["MEDIA_FOLDER"])
    for image in db.session.scalars(sa.select(ProductImage)):
        assert (media / image.filename).stat().st_size > 1000
        assert (media / image.thumb_filename).exists()


def test_seed_demo_twice_changes_nothing(runner):
    runner.invoke(args=["seed-demo"])
    before = snapshot()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert "nothing to add" in second.output
    assert snapshot() == before


def test_seed_demo_keeps_what_staff_changed(runner):
    runner.invoke(args=["seed-demo"])
    variant = db.session.scalar(sa.select(Variant).where(Variant.sku == "LEAF-PRINTED-CLOTH-IND-2M"))
    variant.price_satang = 99900
    db.session.commit()
    runner.invoke(args=["seed-demo"])
    db.session.expire_all()
    assert db.session.get(Variant, variant.id).price_satang == 99900


def test_scale_demo_copies_products_up_to_the_target(runner):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(args=["scale-demo", "--products", "60"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count(Product.id))) == 60


def test_seed_demo_reproduces_the_published_figures_and_makes_bookable_workshops(runner, app):
    from sqlalchemy import select

    from shop.models import MakerGroup
    from shop.services.workshops import impact

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    figures = impact.figures()
    assert figures.people_trained > 70_000 and figures.income_satang > 4_000_000 * 100
    assert (figures.centres, figures.provinces) == (9, 9)
    leaf = db.session.scalar(select(Product).where(Product.slug == "leaf-printed-cloth"))
    assert leaf.maker_group is not None and db.session.scalar(select(MakerGroup.slug)) == leaf.maker_group.slug
    workshop = db.session.scalar(select(Product).where(Product.slug == "leaf-print-workshop"))
    assert workshop.is_workshop and len([v for v in workshop.sellable_variants if v.workshop_session]) == 2
    home = app.test_client().get("/").get_data(as_text=True)
    assert f'data-figure="people-trained">{figures.people_trained:,}<' in home and figures.people_trained == 72_000
