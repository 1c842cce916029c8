"""创熟 results: the staff table and drill-down, the public pages of a compound and a community."""

from django.urls import path

from . import views

app_name = "results"
urlpatterns = [
    path("", views.index, name="index"),
    path("public/compound/<int:pk>/", views.public_compound, name="public_compound"),
    path("public/community/<int:pk>/", views.public_community, name="public_community"),
    path("<slug:key>/", views.rows, name="rows"),
]
