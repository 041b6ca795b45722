"""Forms for centres and staff accounts."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from shop.backoffice.forms import BahtField
from shop.forms import ShopForm
from shop.services import money


class CentreForm(ShopForm):
    slug = StringField(_l("Short name for links"), validators=[DataRequired(), Regexp(r"^[a-z0-9][a-z0-9-]{1,62}$")])
    name_th = StringField(_l("Name (Thai)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    province_code = SelectField(_l("Province"), validators=[DataRequired()])
    region = SelectField(_l("Region"), validators=[DataRequired()])
    library_th = StringField(_l("Host library (Thai)"), validators=[Optional(), Length(max=200)])
    library_en = StringField(_l("Host library (English)"), validators=[Optional(), Length(max=200)])
    story_th = TextAreaField(_l("Story (Thai)"), validators=[Optional(), Length(max=5000)])
    story_en = TextAreaField(_l("Story (English)"), validators=[Optional(), Length(max=5000)])
    address_th = TextAreaField(_l("Postal address (Thai), the sender on packing slips"), validators=[Optional(), Length(max=500)])
    address_en = TextAreaField(_l("Postal address (English)"), validators=[Optional(), Length(max=500)])
    contact_phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    contact_email = StringField(_l("Email"), validators=[Optional(), Length(max=200)])
    contact_line = StringField(_l("LINE ID"), validators=[Optional(), Length(max=100)])
    shipping_fee = BahtField(_l("Shipping fee per parcel (baht)"), validators=[Optional()], kind=money.PRICE, allow_zero=True)
    free_shipping_from = BahtField(_l("Free shipping from (baht, empty: never)"), validators=[Optional()], kind=money.PRICE,
                                  allow_zero=True)
    active = BooleanField(_l("Open (shown in the shop)"), default=True)
    submit = SubmitField(_l("Save centre"))

    def centre_data(self) -> dict:
        """The centre's fields for centres.save_centre; an empty shipping fee is None (the default fee)."""
        data = {f.name: f.data for f in self if f.name not in {"csrf_token", "submit", "shipping_fee", "free_shipping_from"}}
        data["address_th"], data["address_en"] = (" ".join((f.data or "").split()) for f in (self.address_th, self.address_en))
        data["shipping_fee_satang"] = self.shipping_fee.data
        data["free_shipping_from_satang"] = self.free_shipping_from.data
        return data


class StaffForm(ShopForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=[("staff", _l("Centre staff")), ("admin", _l("Association admin"))])
    centre_id = SelectField(_l("Centre (for centre staff)"), coerce=int)
    submit = SubmitField(_l("Create account"))
