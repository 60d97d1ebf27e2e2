from django.apps import AppConfig


class AuthorsConfig(AppConfig):
    name = "authors"
    verbose_name = "Authors"

    def ready(self) -> None:
        from images import usage

        from .models import shows_photo_file

        # Cached pages are refreshed when an author's photo gets its renditions.
        usage.register_shown_check(shows_photo_file)
