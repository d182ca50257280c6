from django.urls import path

from . import views

urlpatterns = [
    path("my/", views.student_home, name="student_home"),
    path("teach/", views.teacher_home, name="teacher_home"),
    path("school/", views.school_home, name="school_home"),
    path("school/<str:code>/staff/", views.school_staff, name="school_staff"),
]
