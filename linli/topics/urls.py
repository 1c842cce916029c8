"""Topics (议题): login required; who sees which topic is in access.py."""

from django.urls import path

from . import views

app_name = "topics"
urlpatterns = [
    path("", views.topic_list, name="list"),
    path("new/", views.propose, name="new"),
    path("export.xlsx", views.topic_list_export, name="export"),
    path("moderation/", views.moderation, name="moderation"),
    path("comments/<int:pk>/report/", views.report, name="report"),
    path("comments/<int:pk>/hide/", views.hide, name="hide"),
    path("comments/<int:pk>/unhide/", views.unhide, name="unhide"),
    path("comments/<int:pk>/keep/", views.keep, name="keep"),
    path("<str:code>/", views.topic_detail, name="detail"),
    path("<str:code>/support/", views.support, name="support"),
    path("<str:code>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:code>/comments/", views.add_comment, name="comment"),
    path("<str:code>/close/", views.close, name="close"),
    path("<str:code>/agenda/", views.agenda, name="agenda"),
    path("<str:code>/settle/", views.settle, name="settle"),
]
