from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jfo_registry.core.roles import Role
from operations.services import user_set_role

# Demo accounts for trying the registry in development; never created when DEBUG is off.
DEMO_USERS = [
    ("admin", Role.ADMINISTRATOR, []),
    ("analyst", Role.HQ_ANALYST, []),
    ("manager-gta", Role.REGIONAL_MANAGER, ["GTA"]),
    ("manager-pac", Role.REGIONAL_MANAGER, ["PAC"]),
]
DEMO_PASSWORD = "jfo-demo-2026"


class Command(BaseCommand):
    help = "Create one demo account per role (development only) and print their credentials."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo accounts are for development only (DEBUG is off).")
        User = get_user_model()
        with transaction.atomic():
            for username, role, regions in DEMO_USERS:
                user, created = User.objects.get_or_create(username=username)
                if created or not user.check_password(DEMO_PASSWORD):
                    user.set_password(DEMO_PASSWORD)
                    user.save()
                user_set_role(user=user, role=role, region_codes=regions)
        self.stdout.write("Demo accounts (development only):")
        for username, role, regions in DEMO_USERS:
            where = f" ({', '.join(regions)})" if regions else ""
            self.stdout.write(f"  {username:<12} / {DEMO_PASSWORD}   {role.value}{where}")
