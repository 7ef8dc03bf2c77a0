"""Deposit pages, mounted at ``/deposits/``."""

from django.urls import path

from dataip.web.views import deposits as views

app_name = "deposits"
urlpatterns = [
    path("", views.my_deposits, name="mine"),
    path("<int:deposit_id>", views.detail, name="detail"),
    path("<int:deposit_id>/receipt.json", views.receipt_json, name="receipt-json"),
    path("<int:deposit_id>/receipt.pdf", views.receipt_pdf, name="receipt-pdf"),
    path("<int:deposit_id>/manifest.json", views.manifest, name="manifest"),
    path("tsa-ca.pem", views.tsa_ca, name="tsa-ca"),
    path("public/<str:number>", views.public, name="public"),
    path("applications/<int:application_id>", views.application, name="application"),
    path("applications/<int:application_id>/cite", views.cite, name="cite"),
    path(
        "applications/<int:application_id>/uncite/<int:deposit_id>",
        views.uncite,
        name="uncite",
    ),
]
