from django.urls import path

from channels_app.whatsapp import views

urlpatterns = [
    path("channels/whatsapp/webhook", views.webhook, name="whatsapp-webhook"),
    path("channels/whatsapp/status", views.status_callback, name="whatsapp-status"),
]
