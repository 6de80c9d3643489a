from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("decisions/", views.decisions, name="decisions"),
    path("decisions.csv", views.decisions_csv, name="decisions_csv"),
    path("decisions/<int:decision_id>/undo/", views.undo, name="undo"),
    path("<str:participant_id>/", views.change, name="change"),
    path("<str:participant_id>/next/", views.next_item, name="next"),
    path("<str:participant_id>/accept/", views.accept, name="accept"),
    path("<str:participant_id>/pick/", views.pick, name="pick"),
    path("<str:participant_id>/no-match/", views.no_match, name="no_match"),
    path("<str:participant_id>/skip/", views.skip, name="skip"),
]
