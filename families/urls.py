from django.urls import path

from . import roster_views, views

urlpatterns = [
    path("family/", views.parent_home, name="parent_home"),
    path("family/link/", views.parent_link, name="parent_link"),
    path("family/email/", views.parent_email_updates, name="parent_email_updates"),
    path("family/children/<int:student_id>/consent/", views.parent_consent, name="parent_consent"),
    path("family/children/<int:student_id>/unlink/", views.parent_unlink, name="parent_unlink"),
    path("my/guardians/<int:link_id>/remove/", views.student_guardian_remove, name="student_guardian_remove"),
    path("teach/students/<int:student_id>/consent/", views.teacher_student_consent, name="teacher_student_consent"),
    path("teach/classes/<int:pk>/consent/", views.class_consent_sheet, name="class_consent_sheet"),
    path("school/<str:code>/consent-roster/", roster_views.consent_roster_upload, name="consent_roster_upload"),
    path(
        "school/<str:code>/consent-roster/template.xlsx",
        roster_views.consent_roster_template,
        name="consent_roster_template",
    ),
    path(
        "school/<str:code>/consent-roster/<int:import_pk>/",
        roster_views.consent_roster_preview,
        name="consent_roster_preview",
    ),
]
