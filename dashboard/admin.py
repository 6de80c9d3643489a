"""The export record in the Django admin, read-only: rows are written by the export itself."""

from django.contrib import admin

from .models import ParticipantExport


@admin.register(ParticipantExport)
class ParticipantExportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "filters", "rows", "completed", "finished_at")
    list_filter = ("completed", "user", "created_at")
    date_hierarchy = "created_at"
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
