import datetime

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .validators import validate_multi_line, validate_single_line


class TimeStampedModel(models.Model):
    """Base of every registry model: when a row was created and last changed."""

    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        abstract = True


class BilingualNameMixin:
    """Reference data carries `name_en` and `name_fr`; `name` follows the active language."""

    @property
    def name(self) -> str:
        language = (get_language() or "en")[:2]
        return (self.name_fr if language == "fr" else self.name_en) or self.name_en


# Dates the registry can hold: wide enough for any record, narrow enough that every date
# arithmetic (a day after an end date, a reminder horizon) stays within the calendar.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)
date_validators = [
    MinValueValidator(EARLIEST_DATE, message=_("Give a date from 1900-01-01 to 2999-12-31.")),
    MaxValueValidator(LATEST_DATE, message=_("Give a date from 1900-01-01 to 2999-12-31.")),
]


# Free text users type (notes, objectives, actions): about two pages. Bounded so one field can
# neither fill the database nor swamp a page, a CSV cell or a reminder.
LONG_TEXT_MAX_LENGTH = 4000


def long_text(verbose_name, *, single_line: bool = False, **options) -> models.TextField:
    """A text of at most LONG_TEXT_MAX_LENGTH characters, several lines unless `single_line`:
    refused beyond it, or with a control character it may not hold (`validators`), by model
    validation (so by the admin, the API, the pages and imports), announced by the forms
    (`maxlength`) and the API schema (`maxLength`)."""
    lines = validate_single_line if single_line else validate_multi_line
    return models.TextField(
        verbose_name, max_length=LONG_TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(LONG_TEXT_MAX_LENGTH), lines], **options
    )
