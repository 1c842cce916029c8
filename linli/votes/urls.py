"""Pages for owners who vote and for those who run a vote (login required)."""

from django.urls import path

from . import views
from . import views_staff as staff

app_name = "votes"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", staff.new, name="new"),
    path("export.xlsx", staff.index_export, name="export"),
    path("new/places/", staff.new_places, name="new_places"),
    path("<str:code>/", views.vote_page, name="vote"),
    path("<str:code>/cast/", views.cast, name="cast"),
    path("<str:code>/receipt/", views.receipt, name="receipt"),
    path("<str:code>/electorate/", staff.electorate, name="electorate"),
    path("<str:code>/electorate.xlsx", staff.electorate_export, name="electorate_export"),
    # Those who run the vote.
    path("<str:code>/manage/", staff.manage, name="manage"),
    path("<str:code>/manage/matters/", staff.add_matter, name="add_matter"),
    path("<str:code>/manage/documents/", staff.add_document, name="add_document"),
    path("<str:code>/manage/act/<str:action>/", staff.act, name="act"),
    path("<str:code>/electorate/<int:pk>/", staff.elector_page, name="elector"),
    path("<str:code>/electorate/<int:pk>/correct/", staff.correct, name="correct"),
    path("<str:code>/electorate/<int:pk>/proxy/", staff.proxy, name="proxy"),
    path("<str:code>/electorate/<int:pk>/proxy/document/", staff.proxy_document, name="proxy_document"),
    path("<str:code>/electorate/<int:pk>/paper/", staff.paper_enter, name="paper_enter"),
    path("<str:code>/paper/", staff.paper, name="paper"),
    path("<str:code>/paper/photo/<int:pk>/", staff.paper_photo, name="paper_photo"),
    path("<str:code>/turnout/", staff.turnout, name="turnout"),
    path("<str:code>/turnout.xlsx", staff.turnout_export, name="turnout_export"),
]
