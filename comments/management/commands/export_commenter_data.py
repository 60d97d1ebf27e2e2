import json

from django.core.management.base import BaseCommand, CommandError

from comments.personal_data import export_commenter_data


class Command(BaseCommand):
    help = (
        "Print as JSON everything stored about a commenter's email address: their comments "
        "(with IP addresses and user agents), the moderation log and blocklist entries."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="Any case; an international domain in either form.")

    def handle(self, *args, email: str, **options):
        if not email.strip() or not email.isprintable():
            raise CommandError("Give the commenter's email address (printable characters only).")
        data = export_commenter_data(email=email)
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
