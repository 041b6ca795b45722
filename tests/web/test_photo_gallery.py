"""Photo galleries: staff upload several photos per product and per option, order and describe
them; the product page shows them without JavaScript, at several widths, WebP with JPEG."""
import hashlib
import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from PIL import Image

from shop.extensions import db
from shop.models import ProductImage, User
from shop.services.catalog import photos
from shop.services.catalog.media import RENDITION_WIDTHS
from tests.factories import make_centre, make_product
from tests.web.helpers import CSRF, csrf_token, flashed

PASSWORD = "staff password 1"
BASE = "http://127.0.0.1:5000"


def jpeg(width=1600, height=1200, shade=0) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).point(lambda v: (v + shade) % 256).convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


def text(response) -> str:
    return response.get_data(as_text=True)


def sign_in(app, email):
    client = app.test_client()
    response = client.post("/account/sign-in", data={"csrf_token": csrf_token(client), "email": email, "password": PASSWORD})
    assert response.status_code == 303
    return client


@pytest.fixture
def shop(app):
    surat = make_centre("surat")
    lampang = make_centre("lampang")
    cloth = make_product(surat, slug="cloth", name_en="Leaf cloth", name_th="ผ้าพิมพ์ใบไม้", prices=(65000, 125000))
    cloth.variants[0].name_en, cloth.variants[1].name_en = "Indigo", "Brown"
    rooster = make_product(lampang, slug="rooster")
    for email, centre in [("surat@staff.example", surat), ("lampang@staff.example", lampang)]:
        user = User(email=email, name=email, role="staff", centre_id=centre.id)
        user.set_password(PASSWORD)
        db.session.add(user)
    db.session.commit()
    return {"cloth": cloth, "rooster": rooster}


def gallery_token(client, product_id) -> str:
    return CSRF.search(text(client.get(f"/backoffice/products/{product_id}/photos"))).group(1)


def upload(client, product_id, data, variant_id=0, alt_th="", alt_en=""):
    return client.post(f"/backoffice/products/{product_id}/photos", content_type="multipart/form-data", data={
        "csrf_token": gallery_token(client, product_id), "photo": (io.BytesIO(data), "photo.jpg"),
        "alt_th": alt_th, "alt_en": alt_en, "variant_id": str(variant_id)})


def gallery_rows(product_id):
    db.session.expire_all()
    return list(db.session.query(ProductImage).filter_by(product_id=product_id).order_by(ProductImage.position, ProductImage.id))


def test_staff_upload_several_photos_of_the_product_and_of_an_option_described_in_both_languages(app, shop):
    staff = sign_in(app, "surat@staff.example")
    cloth = shop["cloth"]
    assert upload(staff, cloth.id, jpeg(), alt_th="ผ้าทั้งผืน", alt_en="The whole cloth").status_code == 303
    response = upload(staff, cloth.id, jpeg(shade=80), variant_id=cloth.variants[1].id, alt_th="สีน้ำตาล", alt_en="The brown one")
    assert "เพิ่มภาพในแกลเลอรีแล้ว" in flashed(staff.get(response.headers["Location"]))
    rows = gallery_rows(cloth.id)
    assert [(r.alt_th, r.alt_en, r.variant_id) for r in rows] == [
        ("ผ้าทั้งผืน", "The whole cloth", None), ("สีน้ำตาล", "The brown one", cloth.variants[1].id)]
    page = text(staff.get("/en/products/cloth"))
    assert "Option: Brown" in page and 'alt="The brown one"' in page


def test_each_width_is_made_once_at_upload_as_webp_and_jpeg_under_content_hashed_names(app, shop):
    staff = sign_in(app, "surat@staff.example")
    upload(staff, shop["cloth"].id, jpeg(1600, 1200))
    image = gallery_rows(shop["cloth"].id)[0]
    media = Path(app.config["MEDIA_FOLDER"])
    assert [w["width"] for w in image.widths] == [*RENDITION_WIDTHS, 1200]
    for width in image.widths:
        for kind, form in (("jpeg", "JPEG"), ("webp", "WEBP")):
            path = media / width[kind]
            data = path.read_bytes()
            assert path.name.startswith(hashlib.sha256(data).hexdigest()[:24])  # the name changes with the bytes
            picture = Image.open(io.BytesIO(data))
            assert picture.format == form and picture.size == (width["width"], width["height"])
    assert image.widths[-1]["jpeg"] == image.filename  # the full size is the photo itself
    assert Image.open(media / image.thumb_webp).size == (300, 300)
    files = sorted(media.rglob("*"))
    for path in ("/products/cloth", "/en/products/cloth", "/products"):
        staff.get(path)
    assert sorted(media.rglob("*")) == files  # pages make nothing: every width exists from the upload


def test_the_product_page_gallery_works_without_javascript(app, client, shop):
    cloth = shop["cloth"]
    staff = db.session.query(User).filter_by(email="surat@staff.example").one()
    for shade in (0, 60, 120):
        photos.add_photo(staff, cloth.id, jpeg(shade=shade), alt_en=f"Shade {shade}")
    page = text(client.get("/en/products/cloth"))
    radios = re.findall(r'<input type="radio" name="gallery-photo" id="(photo-\d)" class="gallery-choice visually-hidden"( checked)?>', page)
    assert radios == [("photo-1", " checked"), ("photo-2", ""), ("photo-3", "")]
    labels = re.findall(r'<label for="(photo-\d)"><picture>.*?alt="([^"]+)"', page)
    assert labels == [("photo-1", "Photo 1: Shade 0"), ("photo-2", "Photo 2: Shade 60"), ("photo-3", "Photo 3: Shade 120")]
    # the stylesheet shows the photo whose radio is checked, for as many photos as a gallery holds
    css = text(client.get("/static/css/shop.css"))
    assert f".gallery-choice:nth-of-type({photos.MAX_PHOTOS}):checked ~ .gallery-stage .gallery-photo:nth-child({photos.MAX_PHOTOS})" in css
    figures = re.findall(r'<figure class="gallery-photo">(.*?)</figure>', page, re.S)
    assert len(figures) == 3
    for n, figure in enumerate(figures):
        full = re.search(r'<a href="(/media/[^"]+\.jpg)">View the full-size photo</a>', figure).group(1)
        assert client.get(full).mimetype == "image/jpeg"
        assert re.search(r'<source type="image/webp" srcset="/media/\S+-320\.webp 320w, .*1200w" sizes="[^"]+">', figure)
        assert re.search(r'<img src="/media/\S+\.jpg" srcset="/media/\S+-320\.jpg 320w, .*1200w" sizes="[^"]+"', figure)
        assert ('loading="lazy"' in figure) == (n > 0)  # only the first photo loads at once


def test_a_product_with_one_photo_has_no_thumbnails_and_old_photos_without_widths_still_show(client, shop):
    db.session.add(ProductImage(product_id=shop["cloth"].id, filename="ab/old.jpg", thumb_filename="ab/old-t.jpg",
                                width=600, height=600, alt_th="ภาพเก่า"))
    db.session.commit()
    page = text(client.get("/products/cloth"))
    assert 'type="radio"' not in page and 'class="gallery-thumbs"' not in page
    assert '<img src="/media/ab/old.jpg" alt="ภาพเก่า" width="600" height="600">' in page
    assert 'image/webp' not in page


def test_catalogue_cards_offer_the_webp_thumbnail_with_a_jpeg_fallback(app, client, shop):
    staff = db.session.query(User).filter_by(email="surat@staff.example").one()
    image = photos.add_photo(staff, shop["cloth"].id, jpeg())
    page = text(client.get("/products"))
    assert f'<source type="image/webp" srcset="/media/{image.thumb_webp}">' in page
    assert f'<img src="/media/{image.thumb_filename}"' in page


def test_staff_put_photos_in_order_and_the_first_is_the_main_photo(app, shop):
    staff = sign_in(app, "surat@staff.example")
    cloth = shop["cloth"]
    for shade in (0, 100, 200):
        upload(staff, cloth.id, jpeg(shade=shade), alt_en=f"photo {shade}")
    first, second, third = gallery_rows(cloth.id)
    token = gallery_token(staff, cloth.id)
    assert staff.post(f"/backoffice/photos/{third.id}/move", data={"csrf_token": token, "direction": "up"}).status_code == 303
    staff.post(f"/backoffice/photos/{third.id}/move", data={"csrf_token": token, "direction": "up"})
    assert [r.alt_en for r in gallery_rows(cloth.id)] == ["photo 200", "photo 0", "photo 100"]
    staff.post(f"/backoffice/photos/{third.id}/move", data={"csrf_token": token, "direction": "up"})  # already first
    staff.post(f"/backoffice/photos/{first.id}/move", data={"csrf_token": token, "direction": "down"})
    assert [r.alt_en for r in gallery_rows(cloth.id)] == ["photo 200", "photo 100", "photo 0"]
    page = text(staff.get("/en/products"))
    assert f'<img src="/media/{third.thumb_filename}"' in page  # the card shows the new main photo
    page = text(staff.get("/en/products/cloth"))
    assert page.index('alt="photo 200"') < page.index('alt="photo 100"') < page.index('alt="photo 0"')


def test_staff_describe_a_photo_in_both_languages_and_tie_it_to_an_option(app, shop):
    staff = sign_in(app, "surat@staff.example")
    cloth = shop["cloth"]
    upload(staff, cloth.id, jpeg())
    image = gallery_rows(cloth.id)[0]
    token = gallery_token(staff, cloth.id)
    prefix = f"photo-{image.id}-"
    response = staff.post(f"/backoffice/photos/{image.id}", data={
        "csrf_token": token, prefix + "alt_th": "ผ้าสีคราม", prefix + "alt_en": "The indigo cloth",
        prefix + "variant_id": str(cloth.variants[0].id)})
    assert response.status_code == 303
    saved = gallery_rows(cloth.id)[0]
    assert (saved.alt_th, saved.alt_en, saved.variant_id) == ("ผ้าสีคราม", "The indigo cloth", cloth.variants[0].id)
    assert 'alt="ผ้าสีคราม"' in text(staff.get("/products/cloth"))
    assert 'alt="The indigo cloth"' in text(staff.get("/en/products/cloth"))


def test_an_option_of_another_product_is_refused_and_nothing_changes(app, shop):
    staff = sign_in(app, "surat@staff.example")
    cloth, other = shop["cloth"], make_product(shop["cloth"].centre, slug="bag")
    upload(staff, cloth.id, jpeg(), alt_en="before")
    image = gallery_rows(cloth.id)[0]
    prefix = f"photo-{image.id}-"
    form = {"csrf_token": gallery_token(staff, cloth.id), prefix + "alt_th": "", prefix + "alt_en": "after",
            prefix + "variant_id": str(other.variants[0].id)}
    response = staff.post(f"/backoffice/photos/{image.id}", data=form, follow_redirects=True)
    assert "กรุณาเลือกตัวเลือกของสินค้านี้" in flashed(response)
    assert gallery_rows(cloth.id)[0].alt_en == "before"
    with pytest.raises(photos.NotThisProductsOption):
        photos.update_photo(db.session.query(User).filter_by(email="surat@staff.example").one(), image.id, "", "x", other.variants[0].id)


def test_a_file_that_is_not_a_photo_is_refused_with_a_thai_message_and_nothing_is_stored(app, shop):
    staff = sign_in(app, "surat@staff.example")
    response = upload(staff, shop["cloth"].id, b"not a picture at all")
    assert "ไฟล์นี้ไม่ใช่รูปภาพที่ใช้ได้" in flashed(staff.get(response.headers["Location"]))
    assert gallery_rows(shop["cloth"].id) == []
    media = Path(app.config["MEDIA_FOLDER"])
    assert not media.exists() or list(media.rglob("*.*")) == []


def test_a_gallery_holds_at_most_twenty_photos(app, shop, monkeypatch):
    monkeypatch.setattr(photos, "MAX_PHOTOS", 2)
    staff = sign_in(app, "surat@staff.example")
    upload(staff, shop["cloth"].id, jpeg(shade=1))
    upload(staff, shop["cloth"].id, jpeg(shade=2))
    response = upload(staff, shop["cloth"].id, jpeg(shade=3))
    assert "สินค้าหนึ่งรายการมีภาพได้ไม่เกิน" in flashed(staff.get(response.headers["Location"]))
    assert len(gallery_rows(shop["cloth"].id)) == 2


def test_staff_of_another_centre_cannot_see_or_change_the_gallery(app, shop):
    owner = sign_in(app, "surat@staff.example")
    upload(owner, shop["cloth"].id, jpeg())
    image = gallery_rows(shop["cloth"].id)[0]
    other = sign_in(app, "lampang@staff.example")
    token = gallery_token(other, shop["rooster"].id)
    assert other.get(f"/backoffice/products/{shop['cloth'].id}/photos").status_code == 404
    for url in (f"/backoffice/photos/{image.id}", f"/backoffice/photos/{image.id}/move", f"/backoffice/photos/{image.id}/remove"):
        assert other.post(url, data={"csrf_token": token, "direction": "down"}).status_code == 404, url
    assert other.post(f"/backoffice/products/{shop['cloth'].id}/photos", data={"csrf_token": token}).status_code == 404
    assert len(gallery_rows(shop["cloth"].id)) == 1


def test_staff_remove_a_photo(app, shop):
    staff = sign_in(app, "surat@staff.example")
    upload(staff, shop["cloth"].id, jpeg())
    image = gallery_rows(shop["cloth"].id)[0]
    staff.post(f"/backoffice/photos/{image.id}/remove", data={"csrf_token": gallery_token(staff, shop["cloth"].id)})
    assert gallery_rows(shop["cloth"].id) == []


def test_the_gallery_page_is_in_thai_and_linked_from_the_product_page(app, shop):
    staff = sign_in(app, "surat@staff.example")
    edit = text(staff.get(f"/backoffice/products/{shop['cloth'].id}"))
    assert f'href="/backoffice/products/{shop["cloth"].id}/photos"' in edit
    page = text(staff.get(f"/backoffice/products/{shop['cloth'].id}/photos"))
    assert "ภาพของ" in page and "เพิ่มภาพ" in page and "ทั้งสินค้า" in page


def test_product_pages_offer_line_facebook_and_a_copy_link_that_is_a_plain_link(client, shop):
    page = text(client.get("/en/products/cloth"))
    url = BASE + "/en/products/cloth"
    encoded = quote(url)
    assert f'href="https://social-plugins.line.me/lineit/share?url={encoded}"' in page
    assert f'href="https://www.facebook.com/sharer/sharer.php?u={encoded}"' in page
    assert f'<a class="copy-link" href="{url}"' in page
    assert 'src="/static/js/share.js?v=' in page
    assert client.get("/static/js/share.js").status_code == 200
    thai = text(client.get("/products/cloth"))
    assert "แชร์ทาง LINE" in thai and "คัดลอกลิงก์" in thai and f'href="{BASE}/products/cloth"' in thai
