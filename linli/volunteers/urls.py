"""Volunteering (志愿服务): activities, sign-up, QR check-in, hours, teams, leaderboards.
Login required except the certificate check (public: its code is the secret)."""

from django.urls import path

from . import views

app_name = "volunteers"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_activity, name="new"),
    path("series/new/", views.new_series, name="new_series"),
    path("hours/", views.my_hours, name="hours"),
    path("hours/certificate/", views.certificate, name="certificate"),
    path("hours/<int:person_id>/", views.person_hours, name="person_hours"),
    path("hours/export.xlsx", views.my_hours_export, name="hours_export"),
    path("hours/<int:person_id>/export.xlsx", views.person_hours_export, name="person_hours_export"),
    path("profile/", views.profile, name="profile"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("teams/", views.teams, name="teams"),
    path("teams/export.xlsx", views.teams_export, name="teams_export"),
    path("teams/<int:pk>/", views.team, name="team"),
    path("teams/<int:pk>/members.xlsx", views.team_members_export, name="team_members_export"),
    path("teams/<int:pk>/join/", views.join, name="join"),
    path("join-requests/<int:pk>/<str:decision>/", views.decide, name="decide"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("a/<str:code>/", views.activity, name="activity"),
    path("a/<str:code>/edit/", views.edit_activity, name="edit"),
    path("a/<str:code>/sign-up/", views.sign_up, name="sign_up"),
    path("a/<str:code>/cancel-sign-up/", views.cancel_sign_up, name="cancel_sign_up"),
    path("a/<str:code>/cancel/", views.cancel_activity, name="cancel"),
    path("a/<str:code>/check-in/<str:token>/", views.check_in, name="check_in"),
    path("a/<str:code>/check-out/", views.check_out, name="check_out"),
    path("a/<str:code>/qr.svg", views.qr_svg, name="qr"),
    path("a/<str:code>/confirm/", views.confirm, name="confirm"),
    path("a/<str:code>/roster.xlsx", views.roster_export, name="roster_export"),
]
