from django.conf import settings
from django.core.management.base import BaseCommand
from django.tasks import TaskResultStatus

from comments.tasks import purge_comment_ips


class Command(BaseCommand):
    help = (
        "Queue the task that removes the IP address and user agent of comments older than "
        "NEWSROOM_COMMENT_IP_RETENTION_DAYS (run it daily from cron or a systemd timer; the "
        "task worker runs it). --now runs it in this process instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="Purge here and now instead of queuing the task."
        )

    def handle(self, *args, now: bool, **options):
        days = settings.NEWSROOM_COMMENT_IP_RETENTION_DAYS
        if now:
            purged = purge_comment_ips.call()
            self.stdout.write(f"Purged the IP address and user agent of {purged} comment(s).")
            return
        result = purge_comment_ips.enqueue()
        if result.status == TaskResultStatus.SUCCESSFUL:  # a backend that runs it at once
            self.stdout.write(
                f"Purged the IP address and user agent of {result.return_value} comment(s)."
            )
        else:
            self.stdout.write(
                f"Queued the purge of comment IP addresses older than {days} days "
                f"(task {result.id}); the task worker runs it."
            )
