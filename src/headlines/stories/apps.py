from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "headlines.stories"
    label = "stories"
