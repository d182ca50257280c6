from django.urls import path

from .views import assignments, school_admin, student, students, teacher

urlpatterns = [
    # Students
    path("my/", student.student_home, name="student_home"),
    path("my/notices/<int:notice_pk>/dismiss/", student.notice_dismiss, name="notice_dismiss"),
    path("join/", student.join_class, name="join_class"),
    # Teachers
    path("teach/", teacher.teacher_home, name="teacher_home"),
    path("teach/classes/new/", teacher.classroom_create, name="classroom_create"),
    path("teach/classes/<int:pk>/", teacher.classroom_dashboard, name="classroom_dashboard"),
    path("teach/classes/<int:pk>/progress.csv", teacher.classroom_export, name="classroom_export"),
    path("teach/classes/<int:pk>/remind/", teacher.classroom_remind, name="classroom_remind"),
    path("teach/classes/<int:pk>/archive/", teacher.classroom_archive, name="classroom_archive"),
    path("teach/classes/<int:pk>/code/", teacher.classroom_join_code, name="classroom_join_code"),
    path("teach/classes/<int:pk>/students/", students.classroom_students, name="classroom_students"),
    path("teach/classes/<int:pk>/students/cards/", students.classroom_cards, name="classroom_cards"),
    path("teach/classes/<int:pk>/students/import/", students.roster_upload, name="roster_upload"),
    path("teach/classes/<int:pk>/students/import/template.xlsx", students.roster_template, name="roster_template"),
    path("teach/classes/<int:pk>/students/import/<int:import_pk>/", students.roster_preview, name="roster_preview"),
    path("teach/classes/<int:pk>/students/<int:enrollment_pk>/", students.student_detail, name="student_detail"),
    path("teach/classes/<int:pk>/students/<int:enrollment_pk>/reset/", students.student_reset, name="student_reset"),
    path("teach/classes/<int:pk>/students/<int:enrollment_pk>/active/", students.student_active, name="student_active"),
    path("teach/classes/<int:pk>/assignments/", assignments.classroom_assignments, name="classroom_assignments"),
    path(
        "teach/classes/<int:pk>/assignments/<int:assignment_pk>/", assignments.assignment_edit, name="assignment_edit"
    ),
    path(
        "teach/classes/<int:pk>/assignments/<int:assignment_pk>/move/",
        assignments.assignment_move,
        name="assignment_move",
    ),
    # School admins
    path("school/", school_admin.school_home, name="school_home"),
    path("school/<str:code>/staff/", school_admin.school_staff, name="school_staff"),
    path("school/<str:code>/staff/<int:membership_pk>/end/", school_admin.staff_end, name="staff_end"),
    path(
        "school/<str:code>/invitations/<int:invitation_pk>/approve/",
        school_admin.invitation_approve_view,
        name="invitation_approve",
    ),
]
