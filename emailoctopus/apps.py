from django.apps import AppConfig


class EmailOctopusConfig(AppConfig):
    name = "emailoctopus"
    verbose_name = "EmailOctopus sync"
