from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jfo_registry.core.roles import Role
from jfo_registry.core.services import user_get
from operations.services import user_set_role


class Command(BaseCommand):
    help = "Give a user one role (administrator, hq-analyst, regional-manager) and a manager's regions."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=[role.value for role in Role])
        parser.add_argument(
            "--region", action="append", default=[], dest="regions", metavar="CODE",
            help="A region the regional manager may edit (repeat for several), e.g. --region GTA.",
        )

    def handle(self, *args, username, role, regions, **options):
        role = Role(role)
        if role == Role.REGIONAL_MANAGER and not regions:
            raise CommandError("A regional manager needs at least one --region CODE.")
        try:
            user = user_get(username)
            user_set_role(user=user, role=role, region_codes=regions)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        where = f" for {', '.join(sorted(r.upper() for r in regions))}" if regions else ""
        self.stdout.write(self.style.SUCCESS(f"{username} is now {role.value}{where}."))
