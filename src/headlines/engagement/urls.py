from django.urls import path

from headlines.engagement import views

app_name = "engagement"

urlpatterns = [path("<str:token>/", views.click, name="click")]
