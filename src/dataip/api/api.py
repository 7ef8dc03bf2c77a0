"""The one ``NinjaAPI`` of the registry, mounted at ``/api/v1/`` (docs at ``/api/v1/docs``).

Interactive docs use the Swagger UI files shipped with django-ninja (``ninja`` is an installed
app, so they are served from our own static files, never from a CDN).
"""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from dataip.api import errors
from dataip.api.routers.log import router as log_router

api = NinjaAPI(
    version="1",
    urls_namespace="api",
    title="dataip API",
    description="Registry for data intellectual property: transparency log and evidence. "
    "数据知识产权登记平台：透明日志与证据。Errors are RFC 9457 problem details.",
    docs=Swagger(),
)
errors.install(api)
api.add_router("/log", log_router)
