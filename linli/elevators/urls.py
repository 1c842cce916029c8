"""Elevator projects after a stairwell's consent (login required)."""

from django.urls import path

from . import views

app_name = "elevators"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_new, name="new"),
    path("export.xlsx", views.project_list_export, name="list_export"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/plan/", views.plan, name="plan"),
    path("<int:pk>/milestones/<str:kind>/", views.milestone, name="milestone"),
    path("<int:pk>/milestones/<str:kind>/evidence/", views.evidence, name="evidence"),
    path("<int:pk>/maintenance/", views.maintenance, name="maintenance"),
    path("<int:pk>/agreement.pdf", views.agreement, name="agreement"),
]
