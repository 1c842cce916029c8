"""The feed, preferences, and failed deliveries (system administrators)."""

from django.urls import path

from . import announcement_views as av
from . import views

app_name = "notices"
urlpatterns = [
    path("", views.feed, name="feed"),
    path("read-all/", views.read_all, name="read_all"),
    path("<int:pk>/", views.open_notice, name="open"),
    path("<int:pk>/read/", views.read, name="read"),
    path("preferences/", views.preferences, name="preferences"),
    path("announcements/", av.announcement_list, name="announcements"),
    path("announcements/new/", av.announcement_new, name="announcement_new"),
    path("announcements/export.xlsx", av.announcement_list_export, name="announcements_export"),
    path("announcements/<int:pk>/", av.announcement_detail, name="announcement"),
    path("announcements/<int:pk>/reach/", av.announcement_reach, name="announcement_reach"),
    path("announcements/<int:pk>/reach.xlsx", av.announcement_reach_export, name="announcement_reach_export"),
    path("announcements/<int:pk>/files/<int:file_pk>/", av.attachment, name="announcement_file"),
    path("announcements/<int:pk>/reach/homes/<int:home_pk>/told/", av.told, name="announcement_told"),
    path("announcements/<int:pk>/reach/homes/<int:home_pk>/untold/", av.untold, name="announcement_untold"),
    path("failed/", views.failed, name="failed"),
    path("failed/<int:pk>/retry/", views.retry, name="retry"),
]
