"""Form pieces the back-office areas share: money in baht, whole numbers, choices, SKUs, CSV
uploads. Each area's own forms are beside it (products -> product_forms.py, and so on).

WTForms has no Thai catalogue, so these fields refuse input with messages of our own."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Regexp, StopValidation, ValidationError

from shop.forms import (
    ActionForm,  # noqa: F401  (the back office's forms, in one place)
    ShopForm,
)
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


class WholeNumberField(StringField):
    """A count typed in ASCII digits, held as int in .data (None when empty); anything else, or a
    number outside low..high, is refused with `message`."""

    def __init__(self, label=None, validators=None, low: int = 0, high: int = 999_999, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.low, self.high = low, high
        self.message = message or _l("Please give a whole number from %(low)d to %(high)d.", low=low, high=high)

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = None
        text = self.raw.strip()
        if text:
            if not (text.isascii() and text.isdigit()) or len(text) > 9 or not self.low <= int(text) <= self.high:
                raise ValueError(str(self.message))
            self.data = int(text)

    def _value(self):
        if getattr(self, "raw", None) is not None:
            return self.raw
        return "" if self.data is None else str(self.data)


class PickField(SelectField):
    """A select list whose refusal (nothing chosen, or a value not offered) says `message`."""

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message or _l("Please choose one of the list.")

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(self.message)) from None

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(str(self.message)) from None


class ImportForm(ShopForm):
    """A CSV upload; each import has its own labels (below) and says on its page what it takes."""

    file = FileField(_l("CSV file"), validators=[FileRequired()])
    submit = SubmitField(_l("Import"))


class StockImportForm(ImportForm):
    file = FileField(_l("CSV file of the stock count (columns: sku, on_hand)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import counts"))


class BaselineImportForm(ImportForm):
    file = FileField(_l("CSV file of baselines (columns: centre, year, amount_baht)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import baselines"))
