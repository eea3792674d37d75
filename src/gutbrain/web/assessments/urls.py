from __future__ import annotations

from django.urls import path

from gutbrain.web.assessments import views

urlpatterns = [
    path("questionnaires/send/", views.send_questionnaires, name="send_questionnaires"),
    path(
        "questionnaires/<uuid:pk>/answer/",
        views.questionnaire_portal,
        name="questionnaire_portal",
    ),
    path("q/<str:token>/", views.questionnaire_link, name="questionnaire_link"),
    path("alerts/<int:pk>/acknowledge/", views.acknowledge_alert, name="acknowledge_alert"),
]
