"""The audit trail in the Django admin, read-only: decisions are made in the review workspace."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from . import services
from .models import ReviewDecision


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "reviewer", "action", "participant_link", "parcel_id", "undone")
    list_filter = ("action", "reviewer", "created_at")
    search_fields = ("participant_id", "contact_id", "parcel_id", "reason")
    date_hierarchy = "created_at"
    list_select_related = ("reviewer",)

    @admin.display(description="Participant")
    def participant_link(self, obj):
        url = reverse("review:change", args=[obj.participant_id])
        return format_html('<a href="{}">{}</a>', url, obj.contact_id or obj.participant_id)

    @admin.display(boolean=True)
    def undone(self, obj):
        return obj.undone_by_id is not None

    def changelist_view(self, request, extra_context=None):
        services.reconcile_audit(now=timezone.now())  # every decision made has its row here
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
