"""Root URLs: each app owns its own `urls.py`; this file only mounts them."""

from django.contrib import admin
from django.urls import include, path

from headlines.core.views import favicon, healthz

admin.site.site_header = "Evening Headlines"
admin.site.site_title = "Evening Headlines staff"
admin.site.index_title = "Newsroom"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("archive/", include("headlines.digests.urls")),
    path("intake/", include("headlines.intake.urls")),
    path("delivery/", include("headlines.delivery.urls")),
    path("", include("headlines.subscriptions.urls")),
]
