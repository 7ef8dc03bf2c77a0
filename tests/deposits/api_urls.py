"""A URL configuration with the deposit router mounted at ``/api/v1/deposits`` (as api.py
will mount it), so the API tests do not depend on that line being there yet."""

from __future__ import annotations

from django.urls import include, path

from dataip.api import errors
from dataip.api.api import RegistryAPI
from dataip.api.routers.deposits import router

api = RegistryAPI(version="1-deposits-test", urls_namespace="deposits-api-test")
errors.install(api)
api.add_router("/deposits", router)

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("dataip.config.urls")),
]
