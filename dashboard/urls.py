from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("zip-engagement.csv", views.zip_csv, name="zip_csv"),
    path("map/", views.zip_map, name="map"),
    path("campaigns/", views.campaigns, name="campaigns"),
    # `path`: a campaign id may hold a "/" ("a/b", "<b>x</b>")
    path("campaigns/<path:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("participants/", views.participants, name="participants"),
    path("participants/export.csv", views.participants_csv, name="participants_csv"),
    path(
        "participants/<str:participant_id>/",
        views.participant_detail,
        name="participant_detail",
    ),
    path(
        "participants/<str:participant_id>/originals/<int:index>/",
        views.participant_original,
        name="participant_original",
    ),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin login page): a public
    # alias of a static file, like /static/ itself.
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=lazy(static, str)("favicon.svg"))),
    ),
]
