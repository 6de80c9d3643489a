from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"

    def ready(self):
        from dashboard import rollups
        from participants import announcements

        announcements.follow(rollups.follow_participants)
