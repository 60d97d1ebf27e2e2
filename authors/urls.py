from django.urls import path

from articles import feeds

from . import views

app_name = "authors"

urlpatterns = [
    path("<slug:slug>/", views.author_detail, name="detail"),
    path("<slug:slug>/rss/", feeds.AuthorFeed(), name="feed_rss"),
    path("<slug:slug>/atom/", feeds.AuthorAtomFeed(), name="feed_atom"),
]
