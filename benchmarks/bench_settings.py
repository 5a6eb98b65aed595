"""Settings of the HTTP load benchmark only (``submit_load.py``): the demo settings with DEBUG off,
and URLs that add the baseline endpoint. Never used by the product."""

from onevisit.settings.demo import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "benchmarks.bench_urls"
