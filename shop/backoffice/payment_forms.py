"""Forms for payments and refunds: confirming or rejecting a PromptPay transfer, refunding an order."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from shop.backoffice.forms import BahtField, WholeNumberField, amount_required
from shop.forms import ShopForm
from shop.models import Order
from shop.services import money


class ConfirmTransferForm(ShopForm):
    reference = StringField(_l("Transfer reference"), validators=[DataRequired(), Length(max=200)])
    amount = BahtField(_l("Amount received (baht)"), validators=[amount_required], kind=money.AMOUNT)
    submit = SubmitField(_l("Confirm payment"))


class RejectTransferForm(ShopForm):
    note = StringField(_l("Why"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Reject and cancel the order"))


class RefundForm(ShopForm):
    """Refund some units of each line (`qty-<line id>`), whole parcels' shipping (`ship-<parcel id>`)
    or both, of one order: `RefundForm.for_order(order)` has a field for each of its lines and parcels.
    Whether the amounts are still refundable is the service's to say."""

    restock = BooleanField(_l("Put the refunded items back in stock"))
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500, message=_l("At most %(max)d characters."))])
    submit = SubmitField(_l("Refund"))

    @classmethod
    def for_order(cls, order: Order) -> RefundForm:
        fields = {f"qty-{line.id}": WholeNumberField(_l("Units to refund"), default=0, high=999_999,
                                                     message=_l("Quantities must be whole numbers."))
                  for line in order.lines}
        fields |= {f"ship-{shipment.id}": BooleanField(_l("Refund its shipping")) for shipment in order.shipments}
        return type("OrderRefundForm", (cls,), fields)()

    def lines(self) -> dict[int, int]:
        """Units to refund per line id (0 for a line left alone)."""
        return {int(name.removeprefix("qty-")): field.data or 0 for name, field in self._fields.items() if name.startswith("qty-")}

    def shipment_ids(self) -> list[int]:
        """The parcels whose shipping fee is refunded."""
        return [int(name.removeprefix("ship-")) for name, field in self._fields.items() if name.startswith("ship-") and field.data]
