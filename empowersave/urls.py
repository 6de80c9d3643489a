from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "EmpowerSave administration"
admin.site.site_title = "EmpowerSave"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("review/", include("review.urls")),
    path("", include("dashboard.urls")),
]
