from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("demo/", include("onevisit.demo.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("onevisit.api.urls")),
    path("", include("onevisit.portal.urls")),
]
