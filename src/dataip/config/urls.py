"""URL routes of the whole site."""

from django.contrib import admin
from django.urls import include, path

from dataip.api import wellknown
from dataip.api.api import api
from dataip.web import tiles

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path(".well-known/dataip-log-key", wellknown.log_key, name="log-key"),
    path(".well-known/dataip-log-keys", wellknown.log_keys, name="log-keys"),
    path(".well-known/dataip-log-keys.json", wellknown.log_key_history, name="log-key-history"),
    path(".well-known/dataip-log-tiles", tiles.where, name="log-tiles"),
    path("log/v1/", include(tiles)),
    path("deposits/", include("dataip.web.deposit_urls")),
    path("", include("dataip.web.urls")),
]
