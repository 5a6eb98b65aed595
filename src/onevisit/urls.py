from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from onevisit.identity.forms import StaffAuthenticationForm

admin.site.site_header = _("onevisit administration")
admin.site.site_title = _("onevisit administration")
admin.site.index_title = _("Catalogue, organisation and calendar")
admin.site.login_form = StaffAuthenticationForm  # the workbench's throttle and log-in audit

urlpatterns = [
    path("demo/", include("onevisit.demo.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("onevisit.api.urls")),
    path("workbench/", include("onevisit.workbench.urls")),
    path("", include("onevisit.portal.urls")),
]
