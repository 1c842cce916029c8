"""Pages for people who handle cases or follow their own (login required)."""

from django.urls import path

from . import mediation_views, views

app_name = "cases"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("export.xlsx", views.queue_export, name="export"),
    path("new/", views.record, name="new"),
    path("new/people/", views.record_people, name="new_people"),
    path("new/places/", views.record_places, name="new_places"),
    path("revisits/", views.revisits, name="revisits"),
    path("revisits/<int:pk>/", views.revisits, name="revisit"),
    path("revisits/export.xlsx", views.revisits_export, name="revisits_export"),
    path("figures/", views.figures, name="figures"),
    path("<str:code>/", views.case_detail, name="case"),
    path("<str:code>/act/<str:action>/", views.act, name="act"),
    path("<str:code>/reply/", views.reply, name="reply"),
    path("<str:code>/note/", views.note, name="note"),
    path("<str:code>/reassign/", views.reassign, name="reassign"),
    path("<str:code>/reveal/", views.reveal, name="reveal"),
    path("<str:code>/photos/<int:pk>/", views.photo, name="photo"),
    path("<str:code>/mediation/open/", mediation_views.open_mediation, name="mediation_open"),
    path("<str:code>/mediation/people/", mediation_views.people, name="mediation_people"),
    path("<str:code>/mediation/sessions/", mediation_views.add_session, name="mediation_session"),
    path("<str:code>/mediation/conclude/", mediation_views.conclude, name="mediation_conclude"),
    path("<str:code>/mediation/follow-up/", mediation_views.follow_up, name="mediation_follow_up"),
]
