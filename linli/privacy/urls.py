"""个人信息: what linli holds about me, its export, and my requests to correct or delete it;
the community workers' queue of those requests."""

from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("export.json", views.export_json, name="export_json"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("correct/", views.correct, name="correct"),
    path("delete/", views.delete, name="delete"),
    path("requests/", views.requests_queue, name="queue"),
    path("requests/export.xlsx", views.queue_export, name="queue_export"),
    path("requests/corrections/<int:pk>/", views.correction, name="correction"),
    path("requests/deletions/<int:pk>/", views.deletion, name="deletion"),
]
