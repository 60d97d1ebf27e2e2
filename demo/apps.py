from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo newsroom `make run` loads. Above every other app: demo content is articles
    by authors with comments, so its loader may use them all, and none of them uses it."""

    name = "demo"
    verbose_name = "Demo content"
