from django.core.management.base import BaseCommand, CommandError

from comments.personal_data import comments_of, erase_commenter_data


class Command(BaseCommand):
    help = (
        "Erase a commenter's personal data: their comments' name, email, website, IP address "
        "and user agent are removed; the text stays unless --remove-text. The moderation log "
        "records that an erasure happened, not what was erased."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="Any case; an international domain in either form.")
        parser.add_argument(
            "--remove-text",
            action="store_true",
            help="Remove the comments' text too (published ones are taken off the site).",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, email: str, remove_text: bool, interactive: bool, **options):
        if not email.strip() or not email.isprintable():
            raise CommandError("Give the commenter's email address (printable characters only).")
        count = comments_of(email).count()
        if interactive and count:
            answer = input(
                f"Erase the personal data of {count} comment(s) by {email}"
                f"{' and remove their text' if remove_text else ''}? This cannot be undone. "
                "Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing erased.")
        erasure = erase_commenter_data(email=email, remove_text=remove_text)
        self.stdout.write(
            f"Erased the personal data of {erasure.comments} comment(s)"
            f"{f', text removed from {erasure.texts_removed}' if remove_text else ''}."
        )
        if erasure.blocklist_entries_kept:
            self.stdout.write(
                f"{erasure.blocklist_entries_kept} blocklist entr"
                f"{'ies' if erasure.blocklist_entries_kept != 1 else 'y'} naming this commenter "
                "kept (delete them under Comments → Blocked commenters if they should go)."
            )
