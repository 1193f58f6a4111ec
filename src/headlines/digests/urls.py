from django.urls import URLPattern, URLResolver, path
from django.views.decorators.http import conditional_page

from headlines.core.middleware import allow_methods
from headlines.digests import feeds, views

app_name = "digests"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.archive_index, name="index"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("<slug:slug>/", views.edition_archive, name="edition"),
    # The feed sends Last-Modified (and, from here, an ETag): a reader's poll with either gets
    # 304 when nothing changed. Like the pages, it answers another method with 405.
    path(
        "<slug:slug>/feed/",
        allow_methods("GET", "HEAD")(conditional_page(feeds.EditionFeed())),
        name="feed",
    ),
    path("<slug:slug>/<str:day>/", views.digest_detail, name="digest"),
]
