from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self):
        from operations.extensions import register_unit_arrangements

        from .selectors import UNIT_ARRANGEMENTS

        # operations' unit list, filter and page show arrangement facts without importing agreements.
        register_unit_arrangements(UNIT_ARRANGEMENTS)
