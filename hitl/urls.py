from django.urls import path

from hitl.views import one_click

app_name = "hitl"
urlpatterns = [
    path("decide/<str:token>/", one_click, name="one-click"),
]
