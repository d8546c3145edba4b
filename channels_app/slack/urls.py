from django.urls import path

from channels_app.slack.views import interactions, link_account

urlpatterns = [
    path("interactions", interactions, name="slack-interactions"),
    path("link/<str:token>/", link_account, name="slack-link"),
]
