"""Pages anyone can open: the intake form (also from a stairwell poster's QR code), following a
case by its code, and the public board."""

from django.urls import path

from . import public_views as v

app_name = "report"
urlpatterns = [
    path("new/", v.intake, name="new"),
    path("new/stairwells/", v.stairwell_options, name="stairwell_options"),
    path("similar/", v.similar, name="similar"),
    path("support/<str:code>/", v.support, name="support"),
    path("done/<str:code>/", v.done, name="done"),
    # The poster's QR code holds this URL: keep it stable.
    path("s/<int:stairwell_id>/", v.poster_entry, name="poster_entry"),
    path("s/<int:stairwell_id>/poster.png", v.poster, {"fmt": "png"}, name="poster_png"),
    path("s/<int:stairwell_id>/poster.pdf", v.poster, {"fmt": "pdf"}, name="poster_pdf"),
    path("track/", v.track, name="track"),
    path("track/<str:code>/", v.track_case, name="case"),
    path("track/<str:code>/photo/<int:photo_id>/", v.case_photo, name="case_photo"),
    path("track/<str:code>/<str:secret>/", v.track_secret, name="secret"),
    path("track/<str:code>/<str:secret>/qr.png", v.secret_qr, name="secret_qr"),
    path("board/<int:compound_id>/", v.board, name="board"),
    path("board/<int:compound_id>/<str:code>/", v.board_case, name="board_case"),
    path("board/<int:compound_id>/<str:code>/photo/<int:photo_id>/", v.board_photo, name="board_photo"),
]
