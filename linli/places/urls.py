from django.urls import path

from linli.places import views

app_name = "places"
urlpatterns = [
    path("", views.community_list, name="communities"),
    path("community/<int:pk>/", views.community_detail, name="community"),
    path("compound/<int:pk>/", views.compound_detail, name="compound"),
    path("building/<int:pk>/", views.building_detail, name="building"),
    path("stairwell/<int:pk>/", views.stairwell_detail, name="stairwell"),
    path("home/<int:pk>/", views.home_detail, name="home"),
    path("compound/<int:pk>/homes.xlsx", views.registry_export, {"level": "compound"}, name="compound_export"),
    path("building/<int:pk>/homes.xlsx", views.registry_export, {"level": "building"}, name="building_export"),
    path("stairwell/<int:pk>/homes.xlsx", views.registry_export, {"level": "stairwell"}, name="stairwell_export"),
]
