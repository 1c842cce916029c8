"""Patrols and hygiene inspections: login required; who sees what is in access.py."""

from django.urls import path

from . import views

app_name = "patrols"
urlpatterns = [
    path("", views.patrol_list, name="list"),
    path("new/", views.start, name="new"),
    path("<int:pk>/", views.patrol_detail, name="detail"),
    path("<int:pk>/findings/", views.add_finding, name="add_finding"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/participants/", views.participants, name="participants"),
    path("findings/<int:pk>/case/", views.finding_case, name="finding_case"),
    path("findings/<int:pk>/photo/", views.finding_photo, name="finding_photo"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("export.xlsx", views.patrol_list_export, name="export"),
    path("inspections/export.xlsx", views.inspection_list_export, name="inspections_export"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/scores/<int:pk>/case/", views.score_case, name="score_case"),
    path("history/", views.history, name="history"),
    path("checklists/", views.checklists, name="checklists"),
    path("checklists/<int:checklist_pk>/", views.checklist, name="checklist"),
]
