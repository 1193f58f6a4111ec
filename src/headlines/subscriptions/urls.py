from django.urls import path

from headlines.subscriptions import reader_views, views

app_name = "subscriptions"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("signup/<slug:slug>/", views.signup, name="signup"),
    path("widget/", views.widget, name="widget-choice"),
    path("widget/<slug:slug>/", views.widget, name="widget"),
    path("privacy/", views.privacy, name="privacy"),
    path("confirm/<str:token>/", reader_views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", reader_views.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>/", reader_views.preferences, name="preferences"),
]
