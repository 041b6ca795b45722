"""Forms for stock: receiving units and adjusting with a reason (CSV counts use forms.ImportForm)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from shop.forms import ShopForm


class ReceiveForm(ShopForm):
    quantity = IntegerField(_l("Units received"), validators=[DataRequired(), NumberRange(min=1, max=100000)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Receive stock"))


class AdjustForm(ShopForm):
    delta = IntegerField(_l("Change (+ or −)"), validators=[DataRequired(), NumberRange(min=-100000, max=100000)])
    reason = SelectField(_l("Reason"), choices=[("damage", _l("Damaged")), ("correction", _l("Correction")),
                                                 ("count", _l("Stock count")), ("sold_offline", _l("Sold offline"))])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Adjust stock"))
