"""Forms for sales outside the shop: an offline sale (with up to three SKUs that leave the stock);
baselines are a CSV upload (forms.ImportForm)."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField, widgets
from wtforms.validators import Length, Optional, ValidationError

from shop.backoffice.forms import SKU, BahtField, PickField, WholeNumberField, amount_required
from shop.forms import ShopForm
from shop.i18n import channel_label, current_language
from shop.models import OFFLINE_CHANNELS, Centre
from shop.services import money
from shop.services.sales.offline import MAX_ITEM_QUANTITY

ITEM_ROWS = (1, 2, 3)


class DayField(StringField):
    """A date typed as YYYY-MM-DD (what a browser's date input sends), held as a date."""

    widget = widgets.DateInput()
    message = _l("Please give the date of the sale, like 2026-05-01.")

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = None
        text = self.raw.strip()
        if text:
            if len(text) != 10 or not text.isascii():
                raise ValueError(str(self.message))
            try:
                self.data = date.fromisoformat(text)
            except ValueError:
                raise ValueError(str(self.message)) from None

    def _value(self):
        if getattr(self, "raw", None) is not None:
            return self.raw
        return self.data.isoformat() if self.data else ""


def _strip(text: str | None) -> str | None:
    return text.strip() if text else text


def _required(form, field):
    if field.data is None and not field.process_errors:
        raise ValidationError(str(field.message))


def _units_for(sku_name: str):
    """A quantity is needed when its SKU is given (a quantity without a SKU is ignored)."""

    def check(form, field):
        if form[sku_name].data and field.data is None and not field.process_errors:
            raise ValidationError(str(field.message))

    return check


class OfflineSaleForm(ShopForm):
    """What a centre sold outside the shop. Admins choose the centre; staff record for their own
    (the form has no centre field for them: `OfflineSaleForm(centres=[])`)."""

    centre_id = PickField(_l("Centre"), coerce=int, message=_l("Please choose the centre that made the sale."))
    day = DayField(_l("Date"), validators=[_required])
    channel = PickField(_l("Channel"), message=_l("Please choose where it was sold."))
    amount = BahtField(_l("Amount (baht)"), validators=[amount_required], kind=money.AMOUNT)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=1000, message=_l("At most %(max)d characters."))])
    submit = SubmitField(_l("Record sale"))

    def __init__(self, centres: list[Centre], **kwargs) -> None:
        super().__init__(**kwargs)
        self.channel.choices = [(channel, channel_label(channel)) for channel in OFFLINE_CHANNELS]
        if centres:
            lang = current_language()
            self.centre_id.choices = [(centre.id, centre.localised("name", lang)) for centre in centres]
        else:
            del self.centre_id

    def items(self) -> list[tuple[str, int]]:
        """(SKU, units) for each row with a SKU."""
        rows = ((self[f"sku-{n}"].data, self[f"qty-{n}"].data) for n in ITEM_ROWS)
        return [(sku.upper(), units) for sku, units in rows if sku]

    def sale(self) -> dict:
        """The keyword arguments of offline.record_offline_sale (centre None: the actor's own)."""
        return {"centre_id": self.centre_id.data if "centre_id" in self else None, "day": self.day.data,
                "channel": self.channel.data, "amount_satang": self.amount.data, "items": self.items(),
                "note": self.note.data or ""}


for _n in ITEM_ROWS:
    setattr(OfflineSaleForm, f"sku-{_n}", StringField(_l("SKU %(n)d", n=_n), validators=[Optional(), SKU], filters=[_strip]))
    setattr(OfflineSaleForm, f"qty-{_n}", WholeNumberField(_l("Quantity %(n)d", n=_n), validators=[_units_for(f"sku-{_n}")],
                                                           low=1, high=MAX_ITEM_QUANTITY,
                                                           message=_l("A whole number of units from 1 to 100,000.")))
