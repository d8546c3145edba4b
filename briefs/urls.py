from django.urls import path

from briefs import views

app_name = "briefs"

urlpatterns = [
    path("briefs/preferences/", views.preferences, name="preferences"),
    path("briefs/preview/", views.preview, name="preview"),
    path("briefs/send-now/", views.send_now, name="send-now"),
    path("briefs/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
