from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The newsroom's staff and (later) registered readers.

    A custom model from the first migration, so fields can be added without the painful
    mid-project swap Django warns about.
    """

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username
