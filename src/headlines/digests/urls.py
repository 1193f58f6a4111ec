from django.urls import URLPattern, URLResolver, path

from headlines.digests import feeds, views

app_name = "digests"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.archive_index, name="index"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("<slug:slug>/", views.edition_archive, name="edition"),
    path("<slug:slug>/feed/", feeds.EditionFeed(), name="feed"),
    path("<slug:slug>/<str:day>/", views.digest_detail, name="digest"),
]
