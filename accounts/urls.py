from django.urls import path

from . import views

urlpatterns = [
    path("start/", views.role_home, name="role_home"),
    path("invite/<str:token>/", views.accept_invitation, name="invitation_accept"),
    path("card/<str:token>/", views.card_sign_in, name="card_sign_in"),
]
