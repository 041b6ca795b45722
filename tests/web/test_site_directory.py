"""The centres and categories a list's filters show: plain rows kept per site version, never stale."""
from __future__ import annotations

from sqlalchemy import select

from shop.extensions import db
from shop.models import Category, Centre
from shop.services.catalog.directory import read_directory
from shop.text import sort_by_name
from tests.factories import make_category, make_centre, make_product


def test_the_directory_lists_the_open_centres_provinces_and_categories_in_dictionary_order(app):
    make_centre("yala", name_th="ศูนย์ยะลา", name_en="Yala centre", province_code="95", province_th="ยะลา",
                province_en="Yala", region="south")
    make_centre("lampang", name_th="ศูนย์ลำปาง", name_en="Lampang centre", province_code="52", province_th="ลำปาง",
                province_en="Lampang", region="north")
    make_centre("closed", name_th="ศูนย์ที่ปิด", active=False, province_code="10", province_th="กรุงเทพมหานคร",
                province_en="Bangkok")
    make_category("second", position=2)
    make_category("first", position=1)
    db.session.commit()
    directory = read_directory()
    open_centres = db.session.scalars(select(Centre).where(Centre.active.is_(True))).all()
    for lang in ("th", "en"):
        expected = sort_by_name(open_centres, lambda c, lang=lang: c.localised("name", lang), lang)
        assert [c.slug for c in directory.centres_in(lang)] == [c.slug for c in expected]
        assert [c.localised("name", lang) for c in directory.centres_in(lang)] == [
            c.localised("name", lang) for c in expected]
    assert [c.slug for c in directory.centres_in("en")] == ["lampang", "yala"]
    assert directory.provinces_in("th") == [("95", "ยะลา", "Yala"), ("52", "ลำปาง", "Lampang")]  # ย before ล
    assert [p[0] for p in directory.provinces_in("en")] == ["52", "95"]
    assert [c.slug for c in directory.categories] == [
        c.slug for c in db.session.scalars(select(Category).order_by(Category.position, Category.id))]
    assert directory.categories[0].slug == "first"


def test_a_list_reads_the_directory_once_per_site_version_and_shows_a_change_at_once(client, app, count_queries):
    app.config["FRAGMENT_CACHE"] = False  # every request renders its list: only the directory is kept
    surat = make_centre("surat", name_th="ศูนย์สุราษฎร์เดิม")
    make_product(surat)
    db.session.commit()
    assert "ศูนย์สุราษฎร์เดิม" in client.get("/products").get_data(as_text=True)
    with count_queries() as statements:
        assert client.get("/products?sort=name").status_code == 200
    assert not [s for s in statements if "FROM centre" in s and "centre.province_code" in s and "JOIN" not in s]
    assert not [s for s in statements if "FROM category" in s]

    centre = db.session.get(Centre, surat.id)
    centre.name_th = "ศูนย์สุราษฎร์ใหม่"
    db.session.commit()
    page = client.get("/products?sort=name").get_data(as_text=True)
    assert "ศูนย์สุราษฎร์ใหม่" in page and "ศูนย์สุราษฎร์เดิม" not in page

    make_centre("yala", name_th="ศูนย์ยะลา")
    db.session.commit()
    assert 'href="/centres/yala"' in client.get("/").get_data(as_text=True)
    db.session.get(Centre, surat.id).active = False
    db.session.commit()
    assert 'value="surat"' not in client.get("/products").get_data(as_text=True)
