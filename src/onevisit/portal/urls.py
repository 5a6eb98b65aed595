from django.urls import path

from . import account, apply, cases, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("topics/<slug:code>/", views.life_event, name="life_event"),
    path("departments/", views.departments, name="departments"),
    path("departments/<str:code>/", views.department, name="department"),
    path("items/<str:code>/", views.item_guide, name="item"),
    path("items/<str:code>/apply/", apply.start, name="apply"),
    path("items/<str:code>/apply/<int:pk>/step/<int:n>/", apply.step, name="apply_step"),
    path("items/<str:code>/apply/<int:pk>/validate/<str:name>/", apply.validate_field, name="apply_validate"),
    path("items/<str:code>/apply/<int:pk>/materials/", apply.materials, name="apply_materials"),
    path("items/<str:code>/apply/<int:pk>/check/", apply.check, name="apply_check"),
    path("items/<str:code>/apply/<int:pk>/submit/", apply.submit, name="apply_submit"),
    path("items/<str:code>/apply/<int:pk>/done/", apply.done, name="apply_done"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/files/<int:pk>/", cases.material_download, name="material"),
    path("cases/<str:number>/", cases.case_detail, name="case"),
    path("cases/<str:number>/withdraw/", cases.case_withdraw, name="case_withdraw"),
    path("cases/<str:number>/receipt.pdf", cases.case_receipt, name="case_receipt"),
    path("items/<str:code>/process.bpmn", views.item_process, name="item_process"),
    path("bundles/", views.bundles, name="bundles"),
    path("bundles/<slug:code>/", views.bundle, name="bundle"),
    path("elder-mode/", views.elder_mode, name="elder_mode"),
    path("account/", account.profile, name="account"),
    path("account/acting-for/", account.acting_for, name="acting_for"),
    path("account/register/", account.register, name="register"),
    path("account/register/code/", account.register_code, name="register_code"),
    path("account/register/details/", account.register_details, name="register_details"),
    path("account/login/", account.login_password, name="login"),
    path("account/login/code/", account.login_code, name="login_code"),
    path("account/login/code/verify/", account.login_code_verify, name="login_code_verify"),
    path("account/logout/", account.logout_view, name="logout"),
]
