from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from channels_app.chat import verify


class WidgetTokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class WidgetTokenView(APIView):
    """A signed token for the chat widget, for the caller (use it as `?token=` on /ws/chat/)."""

    @extend_schema(request=None, responses=WidgetTokenSerializer)
    def post(self, request):
        if request.user.tenant_id is None:
            raise PermissionDenied("Only people of a tenant can chat with its agents.")
        issued = verify.issue(request.user)
        return Response(WidgetTokenSerializer(issued).data)
