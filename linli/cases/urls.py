"""Pages for people who handle cases or follow their own (login required)."""


app_name = "cases"
urlpatterns: list = []
