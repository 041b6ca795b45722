"""Forms for locations: a location's details, moving stock, a stock count, a quick sale at a booth,
closing the day and a store's consignment report. Rows of SKU and units are fixed in number so the
pages work without JavaScript."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import BooleanField, HiddenField, RadioField, StringField, SubmitField
from wtforms.validators import Length, Optional, ValidationError

from shop.backoffice.forms import SKU, BahtField, PickField, WholeNumberField, amount_required
from shop.backoffice.sales_forms import DayField, _required, _strip, _units_for
from shop.forms import ShopForm
from shop.i18n import current_language
from shop.models import Centre, Location
from shop.services import money
from shop.services.locations.stock import MAX_UNITS
from shop.services.settlements.commissions import BadRate, parse_percent

SKU_ROWS = (1, 2, 3, 4, 5)
HOME = "home"
KIND_LABELS = {"fair": _l("Fair or exhibition booth"), "consignment": _l("Department-store counter (consignment)"),
               "partner_shop": _l("Partner shop")}
UNITS_MESSAGE = _l("A whole number of units from 1 to 100,000.")
COUNT_MESSAGE = _l("A whole number of units from 0 to 100,000.")
LENGTH = _l("At most %(max)d characters.")


def _percent(form, field):
    try:
        field.rate_bp = parse_percent(field.data or "0")
    except BadRate as error:
        raise ValidationError(str(error.message)) from None


class LocationForm(ShopForm):
    """A location's details; admins choose the centre when making one (`centres=[]` for staff)."""

    centre_id = PickField(_l("Centre"), coerce=int, message=_l("Please choose the centre."))
    kind = PickField(_l("Kind of place"), message=_l("Please choose the kind of place."))
    name_th = StringField(_l("Name (Thai)"), validators=[Length(min=1, max=200, message=_l("Please give a Thai name of at most 200 characters."))],
                          filters=[_strip])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200, message=LENGTH)], filters=[_strip])
    place = StringField(_l("Place (venue, address)"), validators=[Optional(), Length(max=300, message=LENGTH)], filters=[_strip])
    starts_on = DayField(_l("First day (fairs)"))
    ends_on = DayField(_l("Last day (fairs)"))
    commission = StringField(_l("Store's commission (%, consignment)"), default="0", validators=[_percent])
    active = BooleanField(_l("Open: stock can be moved and sold here"), default=True)
    submit = SubmitField(_l("Save location"))

    def __init__(self, centres: list[Centre], editing: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.kind.choices = [(kind, str(label)) for kind, label in KIND_LABELS.items()]
        if centres and not editing:
            lang = current_language()
            self.centre_id.choices = [(centre.id, centre.localised("name", lang)) for centre in centres]
        else:
            del self.centre_id
        if editing:
            del self.kind

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(str(_l("The last day cannot be before the first.")))

    def fill(self, location: Location) -> None:
        self.name_th.data, self.name_en.data, self.place.data = location.name_th, location.name_en, location.place
        self.starts_on.data, self.ends_on.data, self.active.data = location.starts_on, location.ends_on, location.active
        baht, frac = divmod(location.commission_bp, 100)
        self.commission.data = f"{baht}.{frac:02d}" if frac else str(baht)

    def details(self, kind: str | None = None) -> dict:
        return {"kind": kind or self.kind.data, "name_th": self.name_th.data or "", "name_en": self.name_en.data or "",
                "place": self.place.data or "", "starts_on": self.starts_on.data, "ends_on": self.ends_on.data,
                "commission_bp": getattr(self.commission, "rate_bp", 0), "active": bool(self.active.data)}


class _SkuRows:
    """Rows of SKU and units; `sku_rows()` gives (SKU, units) for each row with a SKU."""

    def sku_rows(self) -> list[tuple[str, int]]:
        rows = ((self[f"sku-{n}"].data, self[f"qty-{n}"].data) for n in SKU_ROWS)  # type: ignore[index]
        return [(sku.upper(), units) for sku, units in rows if sku]


def _add_rows(form_class, label, low: int, message) -> None:
    for n in SKU_ROWS:
        setattr(form_class, f"sku-{n}", StringField(_l("SKU %(n)d", n=n), validators=[Optional(), SKU], filters=[_strip]))
        setattr(form_class, f"qty-{n}", WholeNumberField(label(n), validators=[_units_for(f"sku-{n}")], low=low,
                                                         high=MAX_UNITS, message=message))


class TransferForm(_SkuRows, ShopForm):
    from_place = PickField(lazy_pgettext("stock move", "From"), message=_l("Please choose where the stock comes from."))
    to_place = PickField(lazy_pgettext("stock move", "To"), message=_l("Please choose where the stock goes."))
    note = StringField(_l("Why (e.g. for the tourism fair)"),
                       validators=[Length(min=1, max=500, message=_l("Please say why (at most 500 characters)."))], filters=[_strip])
    submit = SubmitField(_l("Move stock"))

    def __init__(self, places: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(**kwargs)
        self.from_place.choices = places
        self.to_place.choices = places


_add_rows(TransferForm, lambda n: _l("Units %(n)d", n=n), 1, UNITS_MESSAGE)


class CountForm(_SkuRows, ShopForm):
    reason = StringField(_l("Reason for the count"),
                         validators=[Length(min=1, max=500, message=_l("Please say why (at most 500 characters)."))], filters=[_strip])
    submit = SubmitField(_l("Record the count"))


_add_rows(CountForm, lambda n: _l("Units counted %(n)d", n=n), 0, COUNT_MESSAGE)


class ConsignmentForm(_SkuRows, ShopForm):
    period_start = DayField(_l("Report from"), validators=[_required])
    period_end = DayField(_l("Report to"), validators=[_required])
    submit = SubmitField(_l("Record the store's report"))


_add_rows(ConsignmentForm, lambda n: _l("Units sold %(n)d", n=n), 1, UNITS_MESSAGE)


class QuickSaleForm(ShopForm):
    """The quick sale: a quantity per product shown (fields qty-<variant id>, read by `lines`), or a
    typed SKU; cash or PromptPay; the idempotency key carried to the confirmation."""

    sku = StringField(_l("Or type a SKU"), validators=[Optional(), SKU], filters=[_strip])
    sku_qty = WholeNumberField(_l("Units of that SKU"), validators=[_units_for("sku")], low=1, high=MAX_UNITS, message=UNITS_MESSAGE)
    payment_method = RadioField(_l("Payment"), choices=[("cash", _l("Cash")), ("promptpay", _l("PromptPay"))], default="cash",
                                validate_choice=True)
    key = HiddenField()
    submit = SubmitField(_l("Review sale"))

    def validate_payment_method(self, field):
        if field.data not in {"cash", "promptpay"}:
            raise ValidationError(str(_l("Please choose cash or PromptPay.")))

    def validate_key(self, field):
        if not field.data or len(field.data) > 64:
            raise ValidationError(str(_l("This sale form is out of date. Please start the sale again.")))


class ConfirmSaleForm(ShopForm):
    """The confirmation: the sale as reviewed, in hidden fields; recorded only when staff press it."""

    payment_method = HiddenField()
    key = HiddenField()
    lines = HiddenField()  # "variant_id:units,variant_id:units"
    submit = SubmitField(_l("Payment received: record the sale"))


def encode_lines(lines: list[tuple[int, int]]) -> str:
    return ",".join(f"{variant_id}:{units}" for variant_id, units in lines)


def decode_lines(text: str | None) -> list[tuple[int, int]] | None:
    """The reviewed lines back from the hidden field; None when they were tampered with."""
    lines = []
    for part in (text or "").split(",")[:200]:
        variant_id, _, units = part.partition(":")
        if not (variant_id.isascii() and variant_id.isdigit() and units.isascii() and units.isdigit()
                and len(variant_id) <= 9 and len(units) <= 6):
            return None
        lines.append((int(variant_id), int(units)))
    return lines or None


class CloseDayForm(ShopForm):
    counted = BahtField(_l("Cash counted in the box (baht)"), validators=[amount_required], kind=money.AMOUNT, allow_zero=True)
    submit = SubmitField(_l("Close the day"))
