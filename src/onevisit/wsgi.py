import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onevisit.settings.production")
application = get_wsgi_application()


# Imported lazily by the signing code; named here so a fresh worker loads them up front.
WARM_MODULES = ("pyhanko.sign.signers", "pyhanko.pdf_utils.incremental_writer")


def _warm_up() -> None:
    """Load the PDF fonts and the signing libraries when a web worker starts, so that the first
    applicant served by a fresh worker does not wait for them (about 0.5–1 s, measured in
    benchmarks/instant_load.py) when a 秒批 decision issues a certificate."""
    from django.conf import settings

    if getattr(settings, "ONEVISIT_WARM_UP", True):
        import importlib

        from onevisit.core.pdf import fonts

        for module in ("onevisit.certificates.document", "onevisit.certificates.signing", *WARM_MODULES):
            importlib.import_module(module)
        fonts()


_warm_up()
