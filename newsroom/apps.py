from django.contrib.admin.apps import AdminConfig


class NewsroomAdminConfig(AdminConfig):
    """Django's admin, with the project's site (newsroom/admin.py) as `admin.site`."""

    default_site = "newsroom.admin.NewsroomAdminSite"
