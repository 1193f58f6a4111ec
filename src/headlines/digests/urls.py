from django.urls import URLPattern, URLResolver

app_name = "digests"

urlpatterns: list[URLPattern | URLResolver] = []
