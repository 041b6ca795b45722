"""Workshops through the web: book a seat online, staff mark attendance, people trained moves;
passed sessions refused; other centres' staff see nothing; makers and baselines pages."""
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import AuditEntry, CartItem, MakerGroup, Order, Product, TrainedBaseline, WorkshopAttendance, WorkshopSession
from shop.services.ordering import lifecycle
from shop.services.thai import to_bangkok
from tests.factories import make_centre, make_product
from tests.web.helpers import CSRF, checkout, flashed, make_user, post_form, signed_in


def figure(html: str, name: str) -> str:
    return re.search(rf'data-figure="{name}">([^<]*)<', html).group(1)


@pytest.fixture
def world(app):
    surat = make_centre("surat-thani", name_en="Surat Thani centre")
    yala = make_centre("yala", province_code="95")
    workshop = make_product(surat, slug="leaf-printing-workshop", name_en="Leaf-printing workshop", prices=(1,), stock=0, kind="workshop")
    workshop.variants[0].active = False
    db.session.commit()
    return {"surat": surat, "yala": yala, "workshop": workshop,
            "staff": make_user("staff@surat.example", "staff", surat), "yala_staff": make_user("staff@yala.example", "staff", yala),
            "admin": make_user("admin@tla.example", "admin")}


def add_session_on_the_web(app, world, days_ahead=5, seats="8"):
    staff = signed_in(app, "staff@surat.example")
    page = staff.get("/backoffice/workshops").get_data(as_text=True)
    day = (to_bangkok(datetime.now(UTC)) + timedelta(days=days_ahead)).date()
    response = staff.post("/backoffice/workshops", data={
        "csrf_token": CSRF.search(page).group(1), "product_id": str(world["workshop"].id), "day": day.isoformat(),
        "start": "09:30", "end": "11:30", "place_th": "ห้องสมุดประชาชนจังหวัดสุราษฎร์ธานี", "place_en": "Surat Thani library",
        "seats": seats, "price": "350"})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    db.session.rollback()
    return staff, db.session.scalar(select(WorkshopSession).order_by(WorkshopSession.id.desc()))


def test_a_seat_booked_online_and_marked_attended_moves_people_trained_by_one(app, world, client):
    staff, session = add_session_on_the_web(app, world)
    assert session.variant.stock_on_hand == 8
    before = int(figure(client.get("/").get_data(as_text=True), "people-trained").replace(",", ""))

    product_page = client.get("/products/leaf-printing-workshop").get_data(as_text=True)
    assert "09:30–11:30" in product_page and "ห้องสมุดประชาชนจังหวัดสุราษฎร์ธานี" in product_page
    response = post_form(client, "/cart/add", {"variant_id": str(session.variant_id), "quantity": "1"},
                         token_from="/products/leaf-printing-workshop")
    assert response.status_code == 303
    placed, _ = checkout(client)
    assert placed.status_code == 303
    db.session.rollback()
    order = db.session.scalar(select(Order))
    assert order.shipping_satang == 0 and order.total_satang == 35000
    lifecycle.record_payment(order.id, method="promptpay_transfer", reference="T-1", amount_satang=order.total_satang)

    participants = staff.get(f"/backoffice/workshops/sessions/{session.id}").get_data(as_text=True)
    assert "สมชาย ใจดี" in participants and order.number in participants and "0812345678" in participants
    action = f"/backoffice/workshops/sessions/{session.id}/attended/{order.lines[0].id}"
    assert action in participants
    marked = staff.post(action, data={"csrf_token": CSRF.search(participants).group(1)})
    assert marked.status_code == 303
    again = staff.post(action, data={"csrf_token": CSRF.search(participants).group(1)})
    assert again.status_code == 303

    assert int(figure(client.get("/").get_data(as_text=True), "people-trained").replace(",", "")) == before + 1
    assert figure(client.get("/programme").get_data(as_text=True), "people-trained") == str(before + 1)
    assert db.session.scalar(select(func.count(WorkshopAttendance.id))) == 1
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "workshop.attended")) == 1


def test_attendance_needs_the_csrf_token(app, world):
    staff, session = add_session_on_the_web(app, world)
    response = staff.post(f"/backoffice/workshops/sessions/{session.id}/attended/1", data={})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(WorkshopAttendance.id))) == 0


def test_a_passed_session_is_marked_on_the_page_and_refused_in_the_cart(app, world, client):
    _staff, session = add_session_on_the_web(app, world)
    found = db.session.get(WorkshopSession, session.id)
    found.starts_at = datetime.now(UTC) - timedelta(hours=1)
    found.ends_at = datetime.now(UTC) + timedelta(hours=1)
    db.session.commit()
    page = client.get("/products/leaf-printing-workshop").get_data(as_text=True)
    assert "รอบนี้เริ่มไปแล้วหรือผ่านไปแล้ว" in page
    assert f'value="{session.variant_id}"' not in page and 'action="/cart/add"' not in page
    response = post_form(client, "/cart/add", {"variant_id": str(session.variant_id), "quantity": "1"})
    assert response.status_code == 303
    assert "จองไม่ได้อีก" in flashed(client.get("/cart"))
    assert db.session.scalar(select(func.count(CartItem.id))) == 0
    english = client.get("/en/products/leaf-printing-workshop").get_data(as_text=True)
    assert "Session has started or passed" in english


def test_staff_of_another_centre_get_404_for_the_session(app, world):
    _staff, session = add_session_on_the_web(app, world)
    yala = signed_in(app, "staff@yala.example")
    assert yala.get(f"/backoffice/workshops/sessions/{session.id}").status_code == 404
    page = yala.get("/backoffice/workshops").get_data(as_text=True)
    assert "Surat Thani library" not in page and "ห้องสมุดประชาชนจังหวัดสุราษฎร์ธานี" not in page
    token = CSRF.search(page).group(1)
    assert yala.post(f"/backoffice/workshops/sessions/{session.id}/attended/1", data={"csrf_token": token}).status_code == 404


def test_an_admin_imports_people_trained_and_bad_rows_are_listed(app, world, client):
    admin = signed_in(app, "admin@tla.example")
    page = admin.get("/backoffice/workshops").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    bad = b"centre,year,people\nsurat-thani,2021,70000\natlantis,2021,5\n"
    response = admin.post("/backoffice/trained-baselines", data={"csrf_token": token, "file": (io.BytesIO(bad), "b.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 400 and "atlantis" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(TrainedBaseline.id))) == 0
    good = b"centre,year,people\nsurat-thani,2021,70000\n"
    response = admin.post("/backoffice/trained-baselines", data={"csrf_token": token, "file": (io.BytesIO(good), "b.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 303
    assert figure(client.get("/").get_data(as_text=True), "people-trained") == "70,000"
    staff = signed_in(app, "staff@surat.example")
    own_token = CSRF.search(staff.get("/backoffice/workshops").get_data(as_text=True)).group(1)
    assert staff.post("/backoffice/trained-baselines", data={"csrf_token": own_token}).status_code == 403


def test_a_maker_group_has_a_public_page_in_both_languages_and_its_income_is_reported(app, world, client):
    staff = signed_in(app, "staff@surat.example")
    page = staff.get("/backoffice/makers").get_data(as_text=True)
    response = staff.post("/backoffice/makers", data={
        "csrf_token": CSRF.search(page).group(1), "kind": "community_enterprise", "name_th": "วิสาหกิจชุมชนผ้าพิมพ์ใบไม้",
        "name_en": "Leaf print community enterprise", "story_th": "เรื่องของกลุ่ม", "story_en": "The story of the group"})
    assert response.status_code == 303, flashed(response)
    group = db.session.scalar(select(MakerGroup))
    assert group.centre_id == world["surat"].id
    cloth = make_product(world["surat"], slug="leaf-cloth", prices=(65000,), stock=3)
    db.session.get(Product, cloth.id).maker_group_id = group.id
    db.session.commit()
    thai = client.get(f"/makers/{group.slug}").get_data(as_text=True)
    assert "วิสาหกิจชุมชนผ้าพิมพ์ใบไม้" in thai and "เรื่องของกลุ่ม" in thai and "/products/leaf-cloth" in thai
    english = client.get(f"/en/makers/{group.slug}").get_data(as_text=True)
    assert "Leaf print community enterprise" in english and "The story of the group" in english
    assert f"/makers/{group.slug}" in client.get("/products/leaf-cloth").get_data(as_text=True)
    assert client.get("/makers/nobody").status_code == 404

    order_id = _paid_order(client, cloth.variants[0].id)
    admin = signed_in(app, "admin@tla.example")
    dashboard = admin.get("/reports/").get_data(as_text=True)
    assert 'id="by-maker"' in dashboard and "วิสาหกิจชุมชนผ้าพิมพ์ใบไม้" in dashboard
    csv_text = admin.get("/reports/maker.csv").get_data(as_text=True)
    assert f"{group.slug},วิสาหกิจชุมชนผ้าพิมพ์ใบไม้,650.00," in csv_text  # code, name, revenue in baht, ...
    assert order_id


def test_staff_cannot_name_another_centres_maker_group(app, world):
    group = MakerGroup(slug="yala-batik", centre_id=world["yala"].id, kind="learner_group", name_th="กลุ่มบาติก")
    db.session.add(group)
    db.session.commit()
    staff = signed_in(app, "staff@surat.example")
    assert staff.get(f"/backoffice/makers/{group.id}").status_code == 404
    from shop.services.catalog import admin as catalog_admin
    from shop.services.catalog.admin import ForeignMakerGroup
    with pytest.raises(ForeignMakerGroup):
        catalog_admin.update_product(world["staff"], world["workshop"].id, {"maker_group_id": group.id})


def _paid_order(client, variant_id):
    post_form(client, "/cart/add", {"variant_id": str(variant_id), "quantity": "1"})
    checkout(client)
    db.session.rollback()
    order = db.session.scalar(select(Order).order_by(Order.id.desc()))
    lifecycle.record_payment(order.id, method="promptpay_transfer", reference=f"T-{order.id}", amount_satang=order.total_satang)
    return order.id


def test_a_cached_workshop_page_stops_offering_a_session_the_moment_it_starts(app, world, monkeypatch):
    """Starting moves no version: the page's key holds the next session's start, so the cached
    page (early path or Flask) is not served once the session has begun, not even for a moment."""
    from shop import caching
    from shop.services.ordering import cart

    _staff, session = add_session_on_the_web(app, world, days_ahead=3)
    url = "/products/leaf-printing-workshop"
    offered = f'value="{session.variant_id}"'
    assert offered in app.test_client().get(url).get_data(as_text=True)  # rendered and cached
    early = app.test_client().get(url)
    assert offered in early.get_data(as_text=True)
    tag = early.headers["ETag"]

    starts = session.starts_at if session.starts_at.tzinfo else session.starts_at.replace(tzinfo=UTC)
    just_after = starts + timedelta(seconds=1)
    monkeypatch.setattr(caching, "now", lambda: just_after)
    monkeypatch.setattr(cart, "utcnow", lambda: just_after)
    for client in (app.test_client(), app.test_client()):  # the first renders afresh, the second is early
        response = client.get(url, headers={"If-None-Match": tag})
        assert response.status_code == 200 and response.headers["ETag"] != tag
        page = response.get_data(as_text=True)
        assert "รอบนี้เริ่มไปแล้วหรือผ่านไปแล้ว" in page and offered not in page
