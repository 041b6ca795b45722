"""Forms for products, their options and photos."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from shop.backoffice.forms import SKU, BahtField, amount_required
from shop.forms import ShopForm
from shop.services import money


class ProductForm(ShopForm):
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
    kind = SelectField(_l("Kind"), choices=[("goods", _l("Goods (sent in a parcel)")),
                                            ("workshop", _l("Workshop (sessions with seats)"))], default="goods")
    maker_group_id = SelectField(_l("Maker group"), coerce=int, default=0, choices=[(0, "—")])
    submit = SubmitField(_l("Save product"))

    def product_data(self) -> dict:
        return {
            "name_th": self.name_th.data.strip(), "name_en": (self.name_en.data or "").strip(),
            "category_id": self.category_id.data,
            "description_th": self.description_th.data or "", "description_en": self.description_en.data or "",
            "maker_story_th": self.maker_story_th.data or "", "maker_story_en": self.maker_story_en.data or "",
            "otop": bool(self.otop.data), "otop_stars": (self.otop_stars.data or None) if self.otop.data else None,
            "featured": bool(self.featured.data),
            "kind": self.kind.data, "maker_group_id": self.maker_group_id.data or None,
        }


class VariantForm(ShopForm):
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


class ImageForm(ShopForm):
    photo = FileField(_l("Photo (JPEG, PNG or WebP)"), validators=[FileRequired()])
    alt_th = StringField(_l("What the photo shows (Thai)"), validators=[Optional(), Length(max=300)])
    alt_en = StringField(_l("What the photo shows (English)"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Upload photo"))
