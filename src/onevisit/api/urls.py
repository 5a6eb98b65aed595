from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import certificates, credit, indicators, views, work

router = DefaultRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("powers", views.PowerViewSet, basename="power")
router.register("responsibilities", views.ResponsibilityViewSet, basename="responsibility")
router.register("life-events", views.LifeEventViewSet, basename="life-event")
router.register("items", views.ServiceItemViewSet, basename="item")
router.register("versions", views.ItemVersionViewSet, basename="version")
router.register("materials", views.MaterialViewSet, basename="material")
router.register("bundles", views.BundleViewSet, basename="bundle")
router.register("work-items", work.WorkItemViewSet, basename="work-item")
router.register("cases", work.CaseViewSet, basename="case")
router.register("credit-records", credit.CreditRecordViewSet, basename="credit-record")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path(
        "v1/certificates/<str:number>/", certificates.CertificateCheckView.as_view(), name="certificate-check"
    ),
    path("v1/indicators/", indicators.IndicatorListView.as_view(), name="indicators"),
    path("v1/", include(router.urls)),
]
