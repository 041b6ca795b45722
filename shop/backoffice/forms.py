"""Back-office forms: labelled, validated on the server, CSRF-protected."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp, StopValidation

from shop.forms import ActionForm  # noqa: F401  (the back office's forms, in one place)
from shop.services import money


class BahtField(StringField):
    """Money typed in baht ("1,250.50"), held as int satang in .data, within the bound for its
    kind (money.PRICE or money.AMOUNT, from shop/config.py)."""

    def __init__(self, label=None, validators=None, kind: str = money.PRICE, allow_zero: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.kind, self.allow_zero = kind, allow_zero

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = None
        if self.raw.strip():
            try:
                self.data = money.parse_amount(self.raw, self.kind, allow_zero=self.allow_zero)
            except money.BadAmount as error:
                raise ValueError(str(error.message)) from None

    def _value(self):
        if getattr(self, "raw", None) is not None:
            return self.raw
        if isinstance(self.data, int):
            baht, satang = divmod(self.data, 100)
            return f"{baht}.{satang:02d}" if satang else str(baht)
        return ""


def amount_required(form, field):
    """An empty BahtField asks for an amount; a refused one already says why."""
    if field.data is None:
        raise StopValidation("" if field.process_errors else str(money.BadAmount.message))


SKU = Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", message=_l("Letters, digits, dots, dashes and underscores only."))


class ProductForm(FlaskForm):
    name_th = StringField(_l("Name (Thai)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    category_id = SelectField(_l("Category"), coerce=int, validators=[DataRequired()])
    description_th = TextAreaField(_l("Description (Thai)"), validators=[Optional(), Length(max=5000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional(), Length(max=5000)])
    maker_story_th = TextAreaField(_l("The makers' story (Thai)"), validators=[Optional(), Length(max=5000)])
    maker_story_en = TextAreaField(_l("The makers' story (English)"), validators=[Optional(), Length(max=5000)])
    otop = BooleanField(_l("OTOP registered"))
    otop_stars = SelectField(_l("OTOP stars"), coerce=int, choices=[(0, "—"), (1, "★"), (2, "★★"), (3, "★★★"), (4, "★★★★"), (5, "★★★★★")])
    featured = BooleanField(_l("Feature on the home page"))
    submit = SubmitField(_l("Save product"))

    def product_data(self) -> dict:
        return {
            "name_th": self.name_th.data.strip(), "name_en": (self.name_en.data or "").strip(),
            "category_id": self.category_id.data,
            "description_th": self.description_th.data or "", "description_en": self.description_en.data or "",
            "maker_story_th": self.maker_story_th.data or "", "maker_story_en": self.maker_story_en.data or "",
            "otop": bool(self.otop.data), "otop_stars": (self.otop_stars.data or None) if self.otop.data else None,
            "featured": bool(self.featured.data),
        }


class VariantForm(FlaskForm):
    name_th = StringField(_l("Option (Thai), e.g. colour or size"), validators=[Optional(), Length(max=200)])
    name_en = StringField(_l("Option (English)"), validators=[Optional(), Length(max=200)])
    sku = StringField(_l("SKU"), validators=[DataRequired(), SKU])
    price = BahtField(_l("Price (baht)"), validators=[amount_required], kind=money.PRICE)
    low_stock_threshold = IntegerField(_l("Low-stock alert at"), default=3, validators=[NumberRange(min=0, max=100000)])
    active = BooleanField(_l("On sale"), default=True)
    submit = SubmitField(_l("Save option"))

    def variant_data(self) -> dict:
        return {"name_th": (self.name_th.data or "").strip(), "name_en": (self.name_en.data or "").strip(),
                "sku": self.sku.data.strip().upper(), "price_satang": self.price.data,
                "low_stock_threshold": self.low_stock_threshold.data, "active": bool(self.active.data)}


class NewProductForm(ProductForm):
    """A product with its first (often only) option."""

    option_th = StringField(_l("Option (Thai), e.g. colour or size"), validators=[Optional(), Length(max=200)])
    option_en = StringField(_l("Option (English)"), validators=[Optional(), Length(max=200)])
    sku = StringField(_l("SKU"), validators=[DataRequired(), SKU])
    price = BahtField(_l("Price (baht)"), validators=[amount_required], kind=money.PRICE)
    stock_on_hand = IntegerField(_l("Stock on hand"), default=0, validators=[NumberRange(min=0, max=1_000_000)])
    submit = SubmitField(_l("Add product"))

    def variant_data(self) -> dict:
        return {"name_th": (self.option_th.data or "").strip(), "name_en": (self.option_en.data or "").strip(),
                "sku": self.sku.data.strip().upper(), "price_satang": self.price.data,
                "stock_on_hand": self.stock_on_hand.data or 0}


class NewVariantForm(VariantForm):
    stock_on_hand = IntegerField(_l("Stock on hand"), default=0, validators=[NumberRange(min=0, max=1_000_000)])
    submit = SubmitField(_l("Add option"))


class ImageForm(FlaskForm):
    photo = FileField(_l("Photo (JPEG, PNG or WebP)"), validators=[FileRequired()])
    alt_th = StringField(_l("What the photo shows (Thai)"), validators=[Optional(), Length(max=300)])
    alt_en = StringField(_l("What the photo shows (English)"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Upload photo"))


class ReceiveForm(FlaskForm):
    quantity = IntegerField(_l("Units received"), validators=[DataRequired(), NumberRange(min=1, max=100000)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Receive stock"))


class AdjustForm(FlaskForm):
    delta = IntegerField(_l("Change (+ or −)"), validators=[DataRequired(), NumberRange(min=-100000, max=100000)])
    reason = SelectField(_l("Reason"), choices=[("damage", _l("Damaged")), ("correction", _l("Correction")),
                                                 ("count", _l("Stock count")), ("sold_offline", _l("Sold offline"))])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Adjust stock"))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file (columns: sku, on_hand)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import counts"))


class ShipForm(FlaskForm):
    carrier = StringField(_l("Carrier"), validators=[DataRequired(), Length(max=100)])
    tracking_number = StringField(_l("Tracking number"), validators=[DataRequired(), Length(max=100)])
    submit = SubmitField(_l("Mark shipped"))


class ConfirmTransferForm(FlaskForm):
    reference = StringField(_l("Transfer reference"), validators=[DataRequired(), Length(max=200)])
    amount = BahtField(_l("Amount received (baht)"), validators=[amount_required], kind=money.AMOUNT)
    submit = SubmitField(_l("Confirm payment"))


class RejectTransferForm(FlaskForm):
    note = StringField(_l("Why"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Reject and cancel the order"))


class CentreForm(FlaskForm):
    slug = StringField(_l("Short name for links"), validators=[DataRequired(), Regexp(r"^[a-z0-9][a-z0-9-]{1,62}$")])
    name_th = StringField(_l("Name (Thai)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    province_code = SelectField(_l("Province"), validators=[DataRequired()])
    region = SelectField(_l("Region"), validators=[DataRequired()])
    library_th = StringField(_l("Host library (Thai)"), validators=[Optional(), Length(max=200)])
    library_en = StringField(_l("Host library (English)"), validators=[Optional(), Length(max=200)])
    story_th = TextAreaField(_l("Story (Thai)"), validators=[Optional(), Length(max=5000)])
    story_en = TextAreaField(_l("Story (English)"), validators=[Optional(), Length(max=5000)])
    contact_phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    contact_email = StringField(_l("Email"), validators=[Optional(), Length(max=200)])
    contact_line = StringField(_l("LINE ID"), validators=[Optional(), Length(max=100)])
    shipping_fee = BahtField(_l("Shipping fee per parcel (baht)"), validators=[Optional()], kind=money.PRICE, allow_zero=True)
    free_shipping_from = BahtField(_l("Free shipping from (baht, empty: never)"), validators=[Optional()], kind=money.PRICE,
                                  allow_zero=True)
    active = BooleanField(_l("Open (shown in the shop)"), default=True)
    submit = SubmitField(_l("Save centre"))


class StaffForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=[("staff", _l("Centre staff")), ("admin", _l("Association admin"))])
    centre_id = SelectField(_l("Centre (for centre staff)"), coerce=int)
    submit = SubmitField(_l("Create account"))
