"""The dashboard's SQL side: its permissions and the record of every personal-data export."""

from django.conf import settings
from django.db import models

VIEW_PERMISSION = "dashboard.view_dashboard"
EXPORT_PERMISSION = "dashboard.export_participants"
ANALYSTS_GROUP = "analysts"
EXPORTERS_GROUP = "exporters"


class ParticipantExport(models.Model):
    """One download of participants' personal data (the participants CSV).

    The row is written before the first byte leaves, so every download is on record. `rows` (how
    many were sent) and `finished_at` are filled in when the stream ends; `completed` is False
    when the client went away first. `rows` stays None when the server stopped mid-download or
    the client left before the header line.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="participant_exports"
    )
    created_at = models.DateTimeField(db_index=True)
    filters = models.JSONField(default=dict, blank=True)  # the filter's query parameters as sent
    rows = models.PositiveIntegerField(null=True, blank=True)
    completed = models.BooleanField(default=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("view_dashboard", "Can view the dashboard, campaigns and participants"),
            ("export_participants", "Can download participants' personal data (CSV)"),
        ]

    def __str__(self):
        return f"Export by {self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"
