from django.urls import path

from . import views

app_name = "resolutions"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.index_export, name="export"),
    path("public/<int:compound_id>/", views.public, name="public"),
    path("new/<str:meeting_code>/", views.new, name="new"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/drop/", views.drop, name="drop"),
    path("<str:code>/photos/<int:pk>/", views.photo, name="photo"),
]
