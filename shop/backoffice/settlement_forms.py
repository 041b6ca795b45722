"""Forms of the settlement pages: payouts and commission rates."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from shop.backoffice.forms import BahtField
from shop.forms import ShopForm


class PayoutForm(ShopForm):
    paid_on = DateField(_l("Date paid"), validators=[DataRequired(message=_l("Please give the date."))])
    amount = BahtField(_l("Amount (baht)"), validators=[DataRequired(message=_l("Please give the amount in baht."))])
    bank_reference = StringField(_l("Bank reference"), validators=[DataRequired(), Length(max=100)])
    proof = FileField(_l("Proof of transfer (a picture, optional)"))
    submit = SubmitField(_l("Record payout"))


class CommissionForm(ShopForm):
    centre_id = SelectField(_l("Centre"), coerce=int, validators=[DataRequired()])
    percent = StringField(_l("Commission (%)"), validators=[DataRequired(), Length(max=8)])
    effective_from = DateField(lazy_pgettext("date range", "From"), validators=[DataRequired(message=_l("Please give the date."))])
    submit = SubmitField(_l("Set commission"))
