"""Domain errors: a service raises one, the view shows its message and nothing has changed."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A business rule said no. `message` is for the person who asked."""

    message = _l("That could not be done.")

    def __init__(self, message=None, **details) -> None:
        if message is not None:
            self.message = message
        self.details = details
        super().__init__(str(self.message))


class UnknownProduct(DomainError):
    message = _l("We do not have that product. It may have been removed.")


class NotAvailable(DomainError):
    message = _l("That product is no longer sold.")


class BadQuantity(DomainError):
    message = _l("Please enter a quantity from 1 to 99.")


class OutOfStock(DomainError):
    message = _l("Sorry, there is not enough stock left for that.")


class NotInCart(DomainError):
    message = _l("That item is not in your cart.")


class EmptyCart(DomainError):
    message = _l("Your cart is empty.")


class CartHasProblems(DomainError):
    message = _l("Some items in your cart cannot be bought as they are. Please check your cart.")


class PriceChanged(DomainError):
    message = _l("Prices or items changed since you reviewed your order. Please check the new total.")


class NotYourCentre(DomainError):
    message = _l("You can only change your own centre's things.")


class OrderClosed(DomainError):
    message = _l("This order can no longer be changed.")


class NoPrivacyConsent(DomainError):
    message = _l("Please agree to the privacy notice to place your order.")


class SessionPassed(DomainError):
    message = _l("That workshop session has already started or passed, so it can no longer be booked. "
                 "Please choose another session.")
