from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from minga.core.models import ApiToken
from minga.core.tokens import create_api_token, revoke_api_token


class Command(BaseCommand):
    help = (
        "Manage personal API tokens: create USERNAME [--name N], list USERNAME, revoke USERNAME ID."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token and print it once")
        create.add_argument("username")
        create.add_argument("--name", default="cli")
        listing = sub.add_parser("list", help="list a user's tokens (never the tokens themselves)")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke one token by its id")
        revoke.add_argument("username")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"no user named {options['username']!r}") from None
        if options["action"] == "create":
            _record, token = create_api_token(user=user, name=options["name"])
            self.stdout.write(token)
        elif options["action"] == "list":
            for record in ApiToken.objects.filter(user=user):
                self.stdout.write(
                    f"{record.pk}\t{record.name}\t{record.prefix}…\t{record.created_at:%Y-%m-%d}"
                )
        elif not revoke_api_token(user=user, token_id=options["token_id"]):
            raise CommandError(f"{options['username']} has no token {options['token_id']}")
