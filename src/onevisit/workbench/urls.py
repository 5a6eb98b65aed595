from django.contrib.auth import views as auth_views
from django.urls import path

from . import counter, post_checks, views

app_name = "workbench"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="workbench:login"), name="logout"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/<slug:action>/", views.case_action, name="case_action"),
    path("cases/<int:pk>/materials/<int:material>/", views.material_viewer, name="material_viewer"),
    path("materials/<int:pk>/", views.material_file, name="material"),
    path("counter/", counter.counter, name="counter"),
    path("post-checks/", post_checks.post_checks, name="post_checks"),
    path("post-checks/draws/<int:pk>/", post_checks.post_check_draw, name="post_check_draw"),
    path("post-checks/<int:pk>/", post_checks.post_check, name="post_check"),
    path("counter/items/<str:code>/", counter.intake, name="counter_intake"),
    path("counter/cases/<int:pk>/<slug:kind>/", counter.document, name="counter_document"),
    path("counter/cases/<int:pk>/<slug:kind>/pdf/", counter.document_pdf, name="counter_document_pdf"),
]
