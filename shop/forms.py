"""Form pieces every blueprint may use."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token."""
    submit = SubmitField(_l("Confirm"))
