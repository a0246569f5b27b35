from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


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
