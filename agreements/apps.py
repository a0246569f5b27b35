from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self):
        from operations.extensions import register_unit_arrangements  # noqa: PLC0415 - AppConfig.ready

        from .selectors import UNIT_ARRANGEMENTS  # noqa: PLC0415 - AppConfig.ready

        # operations' unit list, filter and page show arrangement facts without importing agreements.
        register_unit_arrangements(UNIT_ARRANGEMENTS)
