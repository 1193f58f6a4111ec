"""Root URLs: each app owns its own `urls.py`; this file only mounts them."""

from django.contrib import admin
from django.urls import include, path

from headlines.api.main import api
from headlines.core.views import favicon, healthz
from headlines.engagement.views import reader_choice
from headlines.staff import views as staff_views
from headlines.staff.forms import StaffLoginForm

# Every app's admin.py, read here rather than at start-up (headlines.core.apps.AdminConfig).
admin.autodiscover()
admin.site.site_header = "Evening Headlines"
admin.site.site_title = "Evening Headlines staff"
admin.site.index_title = "Newsroom"
# Failed sign-ins are limited per username and per address (staff/loginlimit.py).
admin.site.login_form = StaffLoginForm

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    # First after those two: the sign-up widget and the reader pages take the most requests
    # (a breaking story's readers), and Django tries the patterns in order. None of its
    # patterns matches a path of the others (each is exact, or below its own prefix).
    path("", include("headlines.subscriptions.urls")),
    # The admin's own login view, answering 429 when the sign-in limit pauses it.
    path("admin/login/", staff_views.login),
    path("admin/", admin.site.urls),
    path("archive/", include("headlines.digests.urls")),
    path("intake/", include("headlines.intake.urls")),
    path("delivery/", include("headlines.delivery.urls")),
    path("api/v1/", api.urls),
    path("r/", include("headlines.engagement.urls")),
    path("preferences/<str:token>/engagement/", reader_choice, name="engagement-choice"),
]
