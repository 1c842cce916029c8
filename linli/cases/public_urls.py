"""Pages anyone can open: the intake form (also from a stairwell poster's QR code), following a
case by its code, and the public board."""


app_name = "report"
urlpatterns: list = []
