from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("topics/<slug:code>/", views.life_event, name="life_event"),
    path("departments/", views.departments, name="departments"),
    path("departments/<str:code>/", views.department, name="department"),
    path("items/<str:code>/", views.item_guide, name="item"),
    path("items/<str:code>/process.bpmn", views.item_process, name="item_process"),
    path("bundles/", views.bundles, name="bundles"),
    path("bundles/<slug:code>/", views.bundle, name="bundle"),
    path("elder-mode/", views.elder_mode, name="elder_mode"),
]
