"""`manage.py sync_roles`: the role groups and their permissions as declared in audit/roles.py.

Idempotent: a second run changes nothing. Run after `migrate` on every deploy (migrate also adds
new permissions to their roles). `--exact` also takes away what a role does not declare."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction

from audit.roles import sync_roles


class Command(BaseCommand):
    help = (
        "同步角色（权限组）及其权限 / create the role groups and grant their declared permissions"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--exact",
            action="store_true",
            help="也撤销未声明的权限 / also revoke permissions a role does not declare",
        )

    @transaction.atomic
    def handle(self, *args, exact: bool = False, **options):
        changes = sync_roles(
            group_model=Group,
            permission_model=Permission,
            content_type_model=ContentType,
            exact=exact,
        )
        for name, created, added, removed in changes:
            what = "created" if created else "updated"
            self.stdout.write(f"role {name}: {what}, +{len(added)} -{len(removed)} permissions")
            if options["verbosity"] > 1:
                for codename in added:
                    self.stdout.write(f"  + {codename}")
                for codename in removed:
                    self.stdout.write(f"  - {codename}")
        if not changes:
            self.stdout.write("roles: no change")
