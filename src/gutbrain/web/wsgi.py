"""WSGI entry point for gunicorn (``gutbrain serve``): production settings by default.

Each gunicorn process runs its requests on several threads that share one interpreter lock.
Python hands the lock to another waiting thread every *switch interval* (5 ms by default), so
a dashboard request that needs about 9 ms of CPU was cut up and interleaved with three others,
paying for every hand-over; a request still gives the lock up whenever it waits for the
database or the network. With a 50 ms interval (``GUTBRAIN_WEB_SWITCH_MS``, see
:func:`gutbrain.web.config.switch_interval`) the same load ran at 157–186 instead of 104–105
requests/s with p95 163–172 instead of 236–275 ms (BENCHMARKS.md); the cost is that a request
computing for longer than 50 ms without waiting can hold back the other threads of its process
for up to that long.
"""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.wsgi import get_wsgi_application

__all__ = ["application"]

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gutbrain.web.settings.production")

application = get_wsgi_application()
sys.setswitchinterval(settings.GUTBRAIN_WEB_SWITCH_SECONDS)
