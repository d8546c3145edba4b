"""Django's model backend, loading a signed-in user together with their tenant."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class TenantModelBackend(ModelBackend):
    """Every console request reads `request.user.tenant` (its time zone, scoping, the dashboard):
    one query for both, instead of a second one for the tenant."""

    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("tenant").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
