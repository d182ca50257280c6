from django.urls import path

from . import views

urlpatterns = [
    # Students
    path("my/", views.student_home, name="student_home"),
    path("my/notices/<int:notice_pk>/dismiss/", views.notice_dismiss, name="notice_dismiss"),
    path("join/", views.join_class, name="join_class"),
    # Teachers
    path("teach/", views.teacher_home, name="teacher_home"),
    path("teach/classes/new/", views.classroom_create, name="classroom_create"),
    path("teach/classes/<int:pk>/", views.classroom_dashboard, name="classroom_dashboard"),
    path("teach/classes/<int:pk>/progress.csv", views.classroom_export, name="classroom_export"),
    path("teach/classes/<int:pk>/remind/", views.classroom_remind, name="classroom_remind"),
    path("teach/classes/<int:pk>/archive/", views.classroom_archive, name="classroom_archive"),
    path("teach/classes/<int:pk>/code/", views.classroom_join_code, name="classroom_join_code"),
    path("teach/classes/<int:pk>/students/", views.classroom_students, name="classroom_students"),
    path("teach/classes/<int:pk>/students/cards/", views.classroom_cards, name="classroom_cards"),
    path("teach/classes/<int:pk>/students/import/", views.roster_upload, name="roster_upload"),
    path("teach/classes/<int:pk>/students/import/<int:import_pk>/", views.roster_preview, name="roster_preview"),
    path("teach/classes/<int:pk>/students/<int:enrollment_pk>/", views.student_detail, name="student_detail"),
    path("teach/classes/<int:pk>/students/<int:enrollment_pk>/reset/", views.student_reset, name="student_reset"),
    path("teach/classes/<int:pk>/students/<int:enrollment_pk>/active/", views.student_active, name="student_active"),
    path("teach/classes/<int:pk>/assignments/", views.classroom_assignments, name="classroom_assignments"),
    path("teach/classes/<int:pk>/assignments/<int:assignment_pk>/", views.assignment_edit, name="assignment_edit"),
    path(
        "teach/classes/<int:pk>/assignments/<int:assignment_pk>/move/",
        views.assignment_move,
        name="assignment_move",
    ),
    # School admins
    path("school/", views.school_home, name="school_home"),
    path("school/<str:code>/staff/", views.school_staff, name="school_staff"),
    path("school/<str:code>/staff/<int:membership_pk>/end/", views.staff_end, name="staff_end"),
]
