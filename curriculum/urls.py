from django.urls import path

from . import views

urlpatterns = [
    path("certificates/verify/", views.certificate_verify, name="certificate_verify"),
    path("certificates/verify/<str:code>/", views.certificate_verify, name="certificate_verify_code"),
]
