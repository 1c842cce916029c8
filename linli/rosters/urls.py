"""Duty rosters (值班排班): the caller's duties, swap requests and check-in at a post (the
post's QR code opens the check-in page); the organisers' posts, week tables, bulk shifts,
assignments, swap decisions and the printable QR sheet."""

from django.urls import path

from . import views

app_name = "rosters"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("mine/swap/", views.ask_swap, name="ask_swap"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("p/<int:post_pk>/", views.post, name="post"),
    path("p/<int:post_pk>/shifts.xlsx", views.post_export, name="post_export"),
    path("p/<int:post_pk>/bulk/", views.bulk, name="bulk"),
    path("p/<int:post_pk>/assign/", views.assign, name="assign"),
    path("p/<int:post_pk>/unassign/", views.unassign, name="unassign"),
    path("p/<int:post_pk>/swaps/", views.decide, name="decide"),
    path("p/<int:post_pk>/qr/", views.qr_sheet, name="qr"),
]
