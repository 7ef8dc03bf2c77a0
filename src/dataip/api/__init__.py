"""The JSON API (OpenAPI, django-ninja) under ``/api/v1/``: one ``NinjaAPI`` in :mod:`.api`.

Routers live in ``routers/<topic>.py``, their schemas in ``schemas/<topic>.py``. Errors are
RFC 9457 problem details (:mod:`.errors`), the same for every router.
"""
