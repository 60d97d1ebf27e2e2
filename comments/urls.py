from django.urls import path

from . import feeds, privacy, views

app_name = "comments"

urlpatterns = [
    path("articles/<slug:slug>/comments/", views.post_comment, name="post"),
    path("articles/<slug:slug>/comments/tokens/", views.form_tokens, name="form_tokens"),
    path(
        "articles/<slug:slug>/comments/feed/",
        feeds.ArticleCommentsFeed(),
        name="article_feed_rss",
    ),
    path(
        "articles/<slug:slug>/comments/feed/atom/",
        feeds.ArticleCommentsAtomFeed(),
        name="article_feed_atom",
    ),
    path("comments/feed/", feeds.LatestCommentsFeed(), name="feed_rss"),
    path("comments/feed/atom/", feeds.LatestCommentsAtomFeed(), name="feed_atom"),
    path("privacy/", privacy.privacy_page, name="privacy"),
    path(
        "comments/notifications/confirm/<str:token>/",
        views.confirm_notifications,
        name="notifications_confirm",
    ),
    path(
        "comments/unsubscribe/<str:token>/",
        views.unsubscribe_notifications,
        name="notifications_unsubscribe",
    ),
    path("comments/<int:pk>/report/", views.report, name="report"),
    path("comments/<int:pk>/report/sent/", views.report_sent, name="report_sent"),
]
