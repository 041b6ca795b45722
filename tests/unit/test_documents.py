"""Receipts and credit notes: numbered in the payment's transaction, frozen, PDFs stored once and read back."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Document, DocumentCounter, DocumentFile, Order
from shop.services.documents import files, issuing
from shop.services.notifications import outbox
from shop.services.ordering import events, lifecycle
from tests.factories import cart_with, make_centre, make_product, place
from tests.pdftext import assert_says, pdf_text

PAID_AT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 24 Nov 2026, 10:00 in Bangkok: พ.ศ. 2569


def an_order(**kwargs) -> Order:
    surat = make_centre("surat", name_th="ศูนย์สุราษฎร์ธานี", name_en="Surat Thani centre")
    lampang = make_centre("lampang", name_th="ศูนย์ลำปาง", name_en="Lampang centre", province_code="52", region="north")
    cloth = make_product(surat, slug="cloth", name_th="ผ้าพิมพ์ใบไม้", name_en="Leaf-printed cloth", prices=(65000,))
    rooster = make_product(lampang, slug="rooster", name_th="ไก่ดินเผา", name_en="Clay rooster", prices=(25000,))
    return place(cart_with((cloth.variants[0].id, 1), (rooster.variants[0].id, 2)), **kwargs)


def pay(order: Order, at: datetime = PAID_AT, reference: str | None = None) -> str:
    return lifecycle.record_payment(order.id, method="promptpay_transfer", reference=reference or f"T-{order.number}",
                                    amount_satang=order.total_satang, fee_satang=0, now=at)


def receipt(order: Order) -> Document:
    db.session.rollback()
    found = issuing.receipt_of(order.id)
    assert found is not None
    return found


def test_paying_an_order_issues_its_receipt_with_the_first_number_of_the_buddhist_year(app):
    order = an_order()
    assert pay(order) == "paid"
    document = receipt(order)
    assert document.number == "RC2569-000001" and document.kind == "receipt"
    assert document.amount_satang == order.total_satang == 65000 + 50000 + 5000 + 5000
    assert document.seller_tax_id == app.config["SELLER_TAX_ID"] and document.buyer_name == "สมชาย ใจดี"


def test_a_payment_that_rolls_back_gives_its_number_back(app):
    first, second = an_order(), None
    lifecycle.record_payment(first.id, method="promptpay_transfer", reference="T-1", amount_satang=first.total_satang,
                             now=PAID_AT, commit=False)
    assert db.session.scalar(select(Document.number)) == "RC2569-000001"  # allocated inside the transaction
    events.rollback()
    assert db.session.scalar(select(func.count(Document.id))) == 0
    assert db.session.scalar(select(func.count()).select_from(DocumentCounter)) == 0
    pay(db.session.get(Order, first.id), reference="T-2")
    second = receipt(first)
    assert second.number == "RC2569-000001"


def test_numbers_start_again_each_buddhist_year(app):
    december = an_order()
    pay(december, datetime(2026, 12, 31, 16, 59, tzinfo=UTC))  # 23:59 on 31 Dec in Bangkok
    product = make_product(prices=(30000,))
    january = place(cart_with((product.variants[0].id, 1)))
    pay(january, datetime(2026, 12, 31, 17, 0, tzinfo=UTC))  # midnight in Bangkok: 2027, พ.ศ. 2570
    assert receipt(december).number == "RC2569-000001"
    assert receipt(january).number == "RC2570-000001"


def test_the_thai_receipt_says_who_sold_what_for_how_much_in_figures_and_words_on_a_buddhist_date(app):
    order = an_order()
    pay(order)
    text = pdf_text(files.original_pdf(receipt(order).id, "th"))
    assert_says(text, "ใบเสร็จรับเงิน", "RC2569-000001", "24 พฤศจิกายน 2569", "ต้นฉบับ",
                app.config["SELLER_NAME"], app.config["SELLER_TAX_ID"], "สมชาย ใจดี", order.number,
                "ศูนย์สุราษฎร์ธานี", "ผ้าพิมพ์ใบไม้", "฿650", "ศูนย์ลำปาง", "ไก่ดินเผา", "฿250", "฿500", "฿50",
                "฿1,250", "หนึ่งพันสองร้อยห้าสิบบาทถ้วน")


def test_the_english_receipt_has_the_same_figures_and_a_common_era_date(app):
    order = an_order()
    pay(order)
    text = pdf_text(files.original_pdf(receipt(order).id, "en"))
    assert_says(text, "Receipt", "RC2569-000001", "24 November 2026", "Leaf-printed cloth", "Lampang centre", "฿1,250",
                "หนึ่งพันสองร้อยห้าสิบบาทถ้วน", "not registered for VAT")


def test_a_receipts_pdf_is_made_once_and_served_as_the_same_bytes_ever_after(app):
    order = an_order()
    pay(order)
    document = receipt(order)
    first = files.original_pdf(document.id, "th")
    app.config["SELLER_NAME"] = "A new name"  # settings change later; what was issued does not
    assert files.original_pdf(document.id, "th") == first
    assert db.session.scalar(select(func.count(DocumentFile.id)).where(DocumentFile.lang == "th")) == 1
    assert "A new name" not in pdf_text(files.render(document, "th"))


def test_the_payment_email_carries_the_receipt(app):
    order = an_order(lang="en")
    pay(order)
    message = outbox[-1]
    assert message["To"] == order.email
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["RC2569-000001-en.pdf"]
    pdf = attachments[0].get_content()
    assert pdf == files.original_pdf(receipt(order).id, "en")  # stored after the commit, the same bytes
    assert "RC2569-000001" in message.get_body(("plain",)).get_content()


def test_a_reprint_is_marked_copy(app):
    order = an_order()
    pay(order)
    assert_says(files.render(receipt(order), "th", copy=True), "สำเนา", "RC2569-000001")


def test_a_refund_issues_a_credit_note_naming_the_receipt_and_the_lines(app):
    order = an_order()
    pay(order)
    rooster_line = next(line for line in order.lines if line.unit_price_satang == 25000)
    refund = lifecycle.record_refund(order.id, "manual-1", "promptpay_transfer", {rooster_line.id: 1}, [], 25000,
                                     restock=True, reason="broken in the post", now=datetime(2026, 12, 2, 3, tzinfo=UTC))
    note = db.session.scalar(select(Document).where(Document.refund_id == refund.id))
    assert note.number == "CN2569-000001" and note.receipt.number == "RC2569-000001" and note.amount_satang == 25000
    assert_says(files.original_pdf(note.id, "th"), "ใบลดหนี้", "CN2569-000001", "RC2569-000001", "ไก่ดินเผา", "฿250",
                "สองร้อยห้าสิบบาทถ้วน", "2 ธันวาคม 2569", "broken in the post")


def test_with_vat_on_the_receipt_is_an_abbreviated_tax_invoice_showing_the_vat_inside(app):
    app.config["VAT_ENABLED"] = True
    order = an_order()
    pay(order)
    document = receipt(order)
    assert document.kind == "abbreviated_tax_invoice"
    assert document.vat_satang == 8178  # 125000 x 7 / 107 = 8177.57
    assert_says(files.original_pdf(document.id, "th"), "ใบกำกับภาษีอย่างย่อ", "฿81.78", "฿1,168.22")


def test_an_organisation_that_asked_gets_a_full_tax_invoice_with_its_tax_id_and_branch(app):
    app.config["VAT_ENABLED"] = True
    order = an_order()
    order.invoice_name, order.invoice_address = "ห้องสมุดโรงเรียนบ้านดอน", "99 หมู่ 3 ตำบลดอน อำเภอเมือง สุราษฎร์ธานี 84000"
    order.invoice_tax_id, order.invoice_branch = "0994000165021", "00000"
    db.session.commit()
    pay(order)
    document = receipt(order)
    assert document.kind == "tax_invoice"
    assert_says(files.original_pdf(document.id, "th"), "ใบกำกับภาษี", "ห้องสมุดโรงเรียนบ้านดอน", "0994000165021", "สำนักงานใหญ่")


@pytest.mark.parametrize("lang", ["de", "../th"])
def test_documents_come_only_in_thai_and_english(app, lang):
    order = an_order()
    pay(order)
    with pytest.raises(ValueError):
        files.original_pdf(receipt(order).id, lang)
