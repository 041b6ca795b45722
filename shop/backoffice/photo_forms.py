"""Forms of the photo gallery page (shop/backoffice/photos.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from shop.forms import ShopForm

WHOLE_PRODUCT = 0  # the variant choice for a photo of the product as a whole


class _Described(ShopForm):
    alt_th = StringField(_l("What the photo shows (Thai)"), validators=[Optional(), Length(max=300)])
    alt_en = StringField(_l("What the photo shows (English)"), validators=[Optional(), Length(max=300)])
    # Any number is taken here; the service refuses an option of another product, with its message.
    variant_id = SelectField(_l("The photo shows"), coerce=int, default=WHOLE_PRODUCT, validate_choice=False)

    def set_options(self, product, lang: str) -> None:
        self.variant_id.choices = [(WHOLE_PRODUCT, str(_l("The whole product")))] + [
            (v.id, v.localised("name", lang) or v.sku) for v in product.variants
        ]

    def chosen_variant(self) -> int | None:
        return self.variant_id.data or None


class PhotoUploadForm(_Described):
    photo = FileField(_l("Photo (JPEG, PNG or WebP)"), validators=[FileRequired()])
    submit = SubmitField(_l("Upload photo"))


class PhotoForm(_Described):
    submit = SubmitField(_l("Save"))
