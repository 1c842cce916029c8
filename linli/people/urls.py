from django.urls import path

from linli.people import views

app_name = "people"
urlpatterns = [
    path("<int:pk>/", views.person_detail, name="person"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
    path("reveals/", views.reveal_log, name="reveal_log"),
    path("reveals/export.xlsx", views.reveal_log_export, name="reveal_log_export"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/export.xlsx", views.organisation_list_export, name="organisations_export"),
    path("organisations/<int:pk>/members.xlsx", views.organisation_members_export, name="organisation_export"),
]
