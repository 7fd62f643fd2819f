from django.urls import path

from kefu.core import views

app_name = "core"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("days/", views.calendar_day_save, name="calendar_day_save"),
    path("hours/", views.calendar_hours_save, name="calendar_hours_save"),
]
