"""Photo uploads in the back office: pictures too big to decode are refused with a clear message."""
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import ProductImage, User
from tests.factories import make_centre, make_product
from tests.pictures import one_by_25_million, rgba16_4999
from tests.web.helpers import CSRF, csrf_token, flashed

PASSWORD = "staff password 1"


@pytest.fixture
def staff(app):
    surat = make_centre("surat", province_code="84", region="south")
    product = make_product(surat, slug="cloth", prices=(65000,))
    user = User(email="surat@staff.example", name="Surat", role="staff", centre_id=surat.id)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    client = app.test_client()
    client.post("/account/sign-in", data={"csrf_token": csrf_token(client), "email": user.email, "password": PASSWORD})
    client.product_id = product.id
    return client


def upload(client, data: bytes, name: str):
    token = CSRF.search(client.get(f"/backoffice/products/{client.product_id}").get_data(as_text=True)).group(1)
    return client.post(f"/backoffice/products/{client.product_id}/images", content_type="multipart/form-data",
                       data={"csrf_token": token, "photo": (io.BytesIO(data), name)}, follow_redirects=True)


def stored_files(app) -> list[Path]:
    media = Path(app.config["MEDIA_FOLDER"])
    return sorted(media.rglob("*")) if media.exists() else []


@pytest.mark.parametrize(("make", "thai", "english"), [
    (one_by_25_million, "ด้านยาวต้องยาวไม่เกิน 10 เท่าของด้านสั้น", "its long side may be at most 10 times its short side"),
    (rgba16_4999, "ต้องไม่เกิน 8.4 ล้านพิกเซล", "may have at most 8.4 megapixels"),
], ids=["one-pixel-wide-strip", "16-bit-rgba"])
def test_a_picture_too_big_to_decode_is_refused_with_its_limit_and_nothing_is_stored(app, staff, make, thai, english):
    data = make()
    response = upload(staff, data, "photo.png")
    assert response.status_code == 200 and thai in flashed(response)
    staff.get("/language/en")
    assert english in flashed(upload(staff, data, "photo.png"))
    db.session.rollback()
    assert db.session.scalar(select(func.count(ProductImage.id))) == 0
    assert stored_files(app) == []


def test_a_large_phone_photo_is_still_taken(app, staff):
    out = io.BytesIO()
    Image.linear_gradient("L").resize((4000, 3000)).convert("RGB").save(out, "JPEG", quality=70)
    response = upload(staff, out.getvalue(), "phone.jpg")
    assert response.status_code == 200
    db.session.rollback()
    image = db.session.scalar(select(ProductImage))
    assert (image.width, image.height) == (1200, 900)
