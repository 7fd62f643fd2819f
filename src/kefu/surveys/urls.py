from django.urls import path

from kefu.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_new, name="new"),
    path("templates/<int:pk>/", views.template_edit, name="template"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/answer/<int:invitation_pk>/", views.survey_enter, name="enter"),
    path("<int:pk>/print/", views.survey_print, name="print"),
    path("<int:pk>/<slug:action>/", views.survey_action, name="action"),
]
