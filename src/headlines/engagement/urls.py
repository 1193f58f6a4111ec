from django.urls import path

from headlines.engagement import views

app_name = "engagement"

urlpatterns = [
    path("open/<str:reader>/", views.open_pixel, name="open"),
    path("<str:token>/", views.click, name="click"),
    path("<str:token>/<str:reader>/", views.click, name="reader-click"),
]
