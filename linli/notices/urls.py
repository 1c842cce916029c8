"""The feed, preferences, and failed deliveries (system administrators)."""

from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("", views.feed, name="feed"),
    path("read-all/", views.read_all, name="read_all"),
    path("<int:pk>/", views.open_notice, name="open"),
    path("<int:pk>/read/", views.read, name="read"),
    path("preferences/", views.preferences, name="preferences"),
    path("failed/", views.failed, name="failed"),
    path("failed/<int:pk>/retry/", views.retry, name="retry"),
]
