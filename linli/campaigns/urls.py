"""Campaigns (入户走访): organisers' pages, the visitor's list (an installable offline app) and
the visit form."""

from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.create, name="new"),
    path("export.xlsx", views.campaign_list_export, name="list_export"),
    path("mine/", views.mine, name="mine"),
    path("sw.js", views.service_worker, name="sw"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/reassign/", views.reassign, name="reassign"),
    path("<int:pk>/rebalance/", views.rebalance, name="rebalance"),
    path("<int:pk>/buildings/<int:building_pk>/", views.grid, name="grid"),
    path("<int:pk>/not-reached/", views.not_reached, name="not_reached"),
    path("<int:pk>/not-reached.xlsx", views.not_reached_export, name="not_reached_export"),
    path("<int:pk>/changes/", views.changes, name="changes"),
    path("<int:pk>/changes/<int:change_pk>/", views.review, name="review"),
    path("<int:pk>/export.xlsx", views.export, name="export"),
    path("<int:pk>/homes/<int:home_pk>/visit/", views.visit, name="visit"),
    path("<int:pk>/homes/<int:home_pk>/case/", views.case, name="case"),
]
