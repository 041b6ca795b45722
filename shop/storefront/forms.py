"""Storefront forms: every field labelled, validated on the server, CSRF-protected."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from shop.forms import ShopForm
from shop.services.thai import provinces


class CartLineForm(ShopForm):
    variant_id = HiddenField()
    quantity = StringField(_l("Quantity"), validators=[DataRequired()])


class CheckoutForm(ShopForm):
    contact_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    phone = StringField(_l("Mobile phone"), validators=[DataRequired(), Length(max=20)],
                        description=_l("10 digits, starting 06, 08 or 09"))
    address_line = StringField(
        _l("House number, village, building, lane, road"), validators=[DataRequired(), Length(max=300)]
    )
    # Postcode first: the customer picks the subdistrict from the postcode's own list (subdistrict_code);
    # its district and province follow. The typed fields below remain accepted, and checked alike.
    postcode = StringField(
        _l("Postcode"), validators=[DataRequired(), Regexp(r"^[0-9]{5}\Z", message=_l("A postcode has 5 digits."))]
    )
    find_postcode = SubmitField(_l("Find my subdistrict"))
    subdistrict_code = SelectField(_l("Subdistrict (tambon / khwaeng)"), validators=[Optional()], validate_choice=False)
    subdistrict = StringField(_l("Subdistrict (tambon / khwaeng)"), validators=[Optional(), Length(max=100)])
    district = StringField(_l("District (amphoe / khet)"), validators=[Optional(), Length(max=100)])
    province = SelectField(_l("Province"), validators=[Optional()], validate_choice=True)
    payment_method = RadioField(_l("Payment"), validators=[DataRequired()])
    # Optional: an organisation (a library, a school) asking for a full tax invoice.
    invoice_name = StringField(_l("Organisation name"), validators=[Optional(), Length(max=200)])
    invoice_address = TextAreaField(_l("Organisation address"), validators=[Optional(), Length(max=500)])
    invoice_tax_id = StringField(_l("Tax ID (13 digits)"), validators=[Optional(), Length(max=20)])
    invoice_branch = StringField(_l("Branch number"), validators=[Optional(), Regexp(r"^\d{1,5}$", message=_l("A branch number has up to 5 digits."))],
                                 description=_l("Leave empty for the head office"))
    # PDPA: a required tick; the template's label links the notice.
    privacy_consent = BooleanField(_l("I have read and agree to the privacy notice"),
                                   validators=[DataRequired(message=_l("Please agree to the privacy notice to place your order."))])
    submit = SubmitField(_l("Continue to review"))

    def set_choices(self, lang: str, methods: dict) -> None:
        self.province.choices = [("", "—")] + [
            (p.code, p.name_en if lang == "en" else p.name_th) for p in provinces(lang)
        ]
        self.payment_method.choices = [(code, m.label()) for code, m in methods.items()]
        self.subdistrict_code.choices = [("", "—")]
        if not self.payment_method.data and len(methods) == 1:
            self.payment_method.data = next(iter(methods))


class PlaceOrderForm(ShopForm):
    token = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])
    fingerprint = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])
    submit = SubmitField(_l("Place order"))


class CancelOrderForm(ShopForm):
    submit = SubmitField(_l("Cancel this order"))


class SlipForm(ShopForm):
    slip = FileField(_l("Transfer slip (the picture your bank app saved)"), validators=[FileRequired(_l("Please choose the slip's picture."))])
    submit = SubmitField(_l("Send the slip"))
