"""Pages anyone can open by a vote's code: the notice, the result, the receipt check and the
published ballot list. Posted in the compound and printed on the notice: keep them stable."""

from django.urls import path

from . import views_public as v

app_name = "vote_public"
urlpatterns = [
    path("<str:code>/", v.notice, name="notice"),
    path("<str:code>/documents/<int:pk>/", v.document, name="document"),
    path("<str:code>/result/", v.result, name="result"),
    path("<str:code>/ballots.txt", v.ballots_txt, name="ballots"),
]
