from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self) -> None:
        from images import usage
        from newsroom import pagecache

        from .models import Article, shows_image_file

        # Cached pages are refreshed when a scheduled article goes live or comments close.
        pagecache.register_timed_change(Article.objects.next_timed_change)
        # ...and when a library image a published article shows changes.
        usage.register_shown_check(shows_image_file)
