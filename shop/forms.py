"""Form pieces every blueprint may use.

Every form of the shop is a `ShopForm`: WTForms' own messages ("This field is required.") are
looked up in the shop's catalogue, where they have their Thai translations (WTForms ships none for
Thai, and Flask-WTF only looks in WTForms' own catalogues).
"""
from __future__ import annotations

from flask_babel import get_translations, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF
from wtforms import SubmitField
from wtforms.validators import ValidationError


class _ShopCatalogue:
    """WTForms' translations object, answered from the shop's catalogue in the request's language.

    WTForms formats the placeholders itself, so this only looks the text up.
    """

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


SHOP_CATALOGUE = _ShopCatalogue()


class _ShopCSRF(_FlaskFormCSRF):
    """Flask-WTF's CSRF check, its message (raised untranslated) put in the visitor's language."""

    def validate_csrf_token(self, form, field):
        try:
            super().validate_csrf_token(form, field)
        except ValidationError as error:
            raise ValidationError(SHOP_CATALOGUE.gettext(str(error.args[0]))) from error


class ShopForm(FlaskForm):
    """The base of every form: WTForms' and Flask-WTF's messages in the visitor's language."""

    class Meta(FlaskForm.Meta):
        csrf_class = _ShopCSRF

        def get_translations(self, form):  # noqa: ARG002
            return SHOP_CATALOGUE



class ActionForm(ShopForm):
    """A button that only needs its CSRF token."""
    submit = SubmitField(_l("Confirm"))


def N_(message: str) -> str:
    """Marks a message for extraction into the catalogue; the caller translates it later."""
    return message


# WTForms' and Flask-WTF's own messages, so `pybabel extract` keeps them in the catalogue.
LIBRARY_MESSAGES = (
    N_("This field is required."),
    N_("Invalid input."),
    N_("Invalid email address."),
    N_("Invalid URL."),
    N_("Invalid UUID."),
    N_("Invalid IP address."),
    N_("Invalid Mac address."),
    N_("Field must be equal to %(other_name)s."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Invalid value, must be one of: %(values)s."),
    N_("Invalid value, can't be any of: %(values)s."),
    N_("This field cannot be edited."),
    N_("This field is disabled and cannot have a value."),
    N_("Invalid CSRF Token."),
    N_("CSRF token missing."),
    N_("CSRF failed."),
    N_("CSRF token expired."),
    N_("Invalid Choice: could not coerce."),
    N_("Choices cannot be None."),
    N_("Not a valid choice."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    N_("Not a valid datetime value."),
    N_("Not a valid date value."),
    N_("Not a valid time value."),
    N_("Not a valid week value."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
    N_("The CSRF token is missing."),
    N_("The CSRF session token is missing."),
    N_("The CSRF token has expired."),
    N_("The CSRF token is invalid."),
    N_("The CSRF tokens do not match."),
)


def _library_plurals() -> None:  # pragma: no cover - never called, only read by `pybabel extract`
    ngettext("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long.", 1)
    ngettext("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1)
    ngettext("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long.", 1)
    ngettext("'%(value)s' is not a valid choice for this field.", "'%(value)s' are not valid choices for this field.", 1)
