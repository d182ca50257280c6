from django.urls import path

from . import views

urlpatterns = [
    path("office/", views.office_home, name="office_home"),
    path("office/<str:code>/", views.office_district, name="office_district"),
    path("office/<str:code>/sign-in/", views.office_signin_settings, name="office_signin_settings"),
    path("office/<str:code>/completion.xlsx", views.office_export, name="office_export"),
    path("office/<str:code>/schools/import/", views.school_import_upload, name="school_import_upload"),
    path("office/<str:code>/schools/import/template.xlsx", views.school_import_template, name="school_import_template"),
    path(
        "office/<str:code>/schools/import/<int:import_pk>/", views.school_import_preview, name="school_import_preview"
    ),
    path("office/<str:code>/schools/<str:school_code>/", views.office_school, name="office_school"),
    # Granting roles that read reports: the second person's page.
    path("office/<str:code>/invitations/", views.office_invitations, name="office_invitations"),
    path(
        "office/<str:code>/invitations/<int:invitation_pk>/approve/",
        views.office_invitation_decide,
        {"decision": "approve"},
        name="office_invitation_approve",
    ),
    path(
        "office/<str:code>/invitations/<int:invitation_pk>/decline/",
        views.office_invitation_decide,
        {"decision": "decline"},
        name="office_invitation_decline",
    ),
]
