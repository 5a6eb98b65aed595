from typing import Any

from django.conf import settings
from django.http import HttpRequest

ELDER_COOKIE = "onevisit_elder"


def portal(request: HttpRequest) -> dict[str, Any]:
    return {
        "elder_mode": request.COOKIES.get(ELDER_COOKIE) == "1",
        "service_hotline": settings.ONEVISIT_SERVICE_HOTLINE,
        "demo_instance": settings.ONEVISIT_DEMO,
    }
