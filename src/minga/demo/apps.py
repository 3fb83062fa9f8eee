from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "minga.demo"
    label = "demo"
    verbose_name = "Demo data"
