from django.urls import path

from briefs import views

app_name = "briefs"

urlpatterns = [
    path("briefs/preferences/", views.preferences, name="preferences"),
    path("briefs/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
