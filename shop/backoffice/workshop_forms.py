"""Forms for workshop sessions, attendance, maker groups and the people-trained baselines."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from shop.backoffice.forms import BahtField, amount_required
from shop.forms import ShopForm
from shop.services import money


class SessionForm(ShopForm):
    product_id = SelectField(_l("Workshop"), coerce=int, validators=[DataRequired(message=_l("Please choose a workshop."))])
    day = DateField(_l("Date"), validators=[DataRequired(message=_l("Please give the date."))])
    start = TimeField(_l("Starts at (Bangkok time)"), validators=[DataRequired(message=_l("Please give the time."))])
    end = TimeField(_l("Ends at (Bangkok time)"), validators=[DataRequired(message=_l("Please give the time."))])
    place_th = StringField(_l("Place (Thai)"), validators=[DataRequired(message=_l("Please say where.")), Length(max=300)])
    place_en = StringField(_l("Place (English)"), validators=[Optional(), Length(max=300)])
    seats = IntegerField(_l("Seats"), validators=[DataRequired(message=_l("Please give the number of seats.")),
                                                  NumberRange(min=1, max=1000)])
    price = BahtField(_l("Price per seat (baht)"), validators=[amount_required], kind=money.PRICE)
    submit = SubmitField(_l("Add session"))


class BaselineImportForm(ShopForm):
    file = FileField(_l("CSV file (columns: centre, year, people)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import people trained"))


class MakerGroupForm(ShopForm):
    centre_id = SelectField(_l("Centre"), coerce=int, default=0)
    kind = SelectField(_l("Kind of group"), choices=[("learner_group", _l("Learner group")),
                                                     ("community_enterprise", _l("Community enterprise"))])
    name_th = StringField(_l("Name (Thai)"), validators=[DataRequired(message=_l("Please give the name in Thai.")), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    story_th = TextAreaField(_l("Story (Thai)"), validators=[Optional(), Length(max=5000)])
    story_en = TextAreaField(_l("Story (English)"), validators=[Optional(), Length(max=5000)])
    photo = FileField(_l("Photo (JPEG, PNG or WebP; optional)"))
    photo_alt_th = StringField(_l("What the photo shows (Thai)"), validators=[Optional(), Length(max=300)])
    photo_alt_en = StringField(_l("What the photo shows (English)"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Save maker group"))

    def group_data(self) -> dict:
        return {k: getattr(self, k).data or "" for k in ("kind", "name_th", "name_en", "story_th", "story_en",
                                                          "photo_alt_th", "photo_alt_en")}
