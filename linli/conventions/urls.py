from django.urls import path

from . import views

app_name = "conventions"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("export.xlsx", views.index_export, name="export"),
    path("<int:pk>/", views.detail, name="detail"),
]
