"""创熟 results: the staff table and drill-down, the public pages of a compound and a community."""

from django.urls import path

from . import views

app_name = "results"
urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("buildings/", views.buildings, name="buildings"),
    path("public/compound/<int:pk>/", views.public_compound, name="public_compound"),
    path("public/community/<int:pk>/", views.public_community, name="public_community"),
    path("export.xlsx", views.export_table, name="export"),
    path("report.pdf", views.report_pdf, name="report"),
    path("open/<str:period>.csv", views.open_csv, name="open_csv"),
    path("open/<str:period>.json", views.open_json, name="open_json"),
    path("<slug:indicator>/export.xlsx", views.export_rows, name="export_rows"),
    path("<slug:key>/", views.rows, name="rows"),
]
