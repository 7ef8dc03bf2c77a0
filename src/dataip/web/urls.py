from django.urls import path

from dataip.web import verify, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("verify", verify.verify, name="verify"),
    path("verify/ca.pem", verify.ca_certificate, name="verify-ca"),
    path("verify/<str:number>", verify.verify_number, name="verify-number"),
    path("verify/<str:number>/bundle.json", verify.verify_bundle, name="verify-bundle"),
]
