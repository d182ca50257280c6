from django.urls import path

from . import views

urlpatterns = [
    path("counsel/", views.counsel_home, name="counsel_home"),
]
