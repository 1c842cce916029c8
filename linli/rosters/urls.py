"""Duty rosters (值班排班): the caller's duties and check-in at a post (the post's QR code opens
the check-in page)."""

from django.urls import path

from . import views

app_name = "rosters"
urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
]
