from django.contrib.auth import views as auth_views
from django.urls import path

from . import counter, counter_bundle, insights, post_checks, ratings, views
from . import fees as fee_views  # 电子监察 (supervision) and 收费
from . import supervision as supervision_views

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
    path("insights/", insights.dashboard, name="insights"),
    path("insights/export/<str:name>", insights.export, name="insights_export"),
    path("insights/<slug:key>/cases/", insights.drill, name="insights_drill"),
    path("counter/rate/", ratings.counter_rate, name="counter_rate"),
    path("ratings/", ratings.ratings_home, name="ratings"),
    path("ratings/<int:pk>/", ratings.rating_detail, name="rating"),
    path("complaints/<int:pk>/", ratings.complaint_detail, name="complaint"),
    path("post-checks/", post_checks.post_checks, name="post_checks"),
    path("post-checks/draws/<int:pk>/", post_checks.post_check_draw, name="post_check_draw"),
    path("post-checks/<int:pk>/", post_checks.post_check, name="post_check"),
    path("post-checks/<int:pk>/evidence/", post_checks.post_check_evidence, name="post_check_evidence"),
    path("counter/items/<str:code>/", counter.intake, name="counter_intake"),
    path("counter/bundles/<slug:code>/", counter_bundle.intake, name="counter_bundle"),
    path("counter/bundle-cases/<int:pk>/", counter_bundle.bundle_case, name="counter_bundle_case"),
    path("counter/cases/<int:pk>/gap-notice/", counter.counter_gap_notice, name="counter_gap_notice"),
    path(
        "counter/cases/<int:pk>/gap-notice.pdf", counter.counter_gap_notice_pdf, name="counter_gap_notice_pdf"
    ),
    path("counter/cases/<int:pk>/<slug:kind>/", counter.document, name="counter_document"),
    path("counter/cases/<int:pk>/<slug:kind>/pdf/", counter.document_pdf, name="counter_document_pdf"),
    # 电子监察 (supervision): cards, 督办单, scores; and 收费 on the case page
    path("supervision/", supervision_views.supervision, name="supervision"),
    path("supervision/orders/", supervision_views.order_list, name="supervision_orders"),
    path("supervision/orders/new/", supervision_views.order_new, name="supervision_order_new"),
    path("supervision/orders/<int:pk>/", supervision_views.order_detail, name="supervision_order"),
    path("supervision/score/", supervision_views.score_page, name="supervision_score"),
    path("cases/<int:pk>/fees/new/", fee_views.fee_charge, name="case_fee_charge"),
]
