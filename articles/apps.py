from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self) -> None:
        from newsroom import pagecache

        from .models import Article

        # Cached pages are refreshed when a scheduled article goes live or comments close.
        pagecache.register_timed_change(Article.objects.next_timed_change)
