"""Forms for parcels: marking one shipped."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from shop.forms import ShopForm


class ShipForm(ShopForm):
    carrier = StringField(_l("Carrier"), validators=[DataRequired(), Length(max=100)])
    tracking_number = StringField(_l("Tracking number"), validators=[DataRequired(), Length(max=100)])
    submit = SubmitField(_l("Mark shipped"))
