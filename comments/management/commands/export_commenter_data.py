import json

from django.core.management.base import BaseCommand

from comments.personal_data import export_commenter_data


class Command(BaseCommand):
    help = (
        "Print as JSON everything stored about a commenter's email address: their comments "
        "(with IP addresses and user agents), the moderation log and blocklist entries."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="Any case; an international domain in either form.")

    def handle(self, *args, email: str, **options):
        data = export_commenter_data(email=email)
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
