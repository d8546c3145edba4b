"""The product's URLs plus a bare API view, for bench/api_bench.py. Benchmark-only."""

from django.urls import path
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as walker_urlpatterns


class BareView(APIView):
    """The API's own stack (token authentication, permission, throttling, JSON) and nothing of Walker's work."""

    def post(self, request):
        return Response({"ok": True, "message": request.data.get("message")}, status=status.HTTP_202_ACCEPTED)


urlpatterns = [path("bench/bare/", BareView.as_view()), *walker_urlpatterns]
