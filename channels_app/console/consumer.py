"""The admin console's live feed (/ws/console/): approval events for signed-in staff.

hitl.console sends every approval event to the group `console.<tenant_id>`; a
superuser, who sees every tenant, listens to `console.all` instead. In-app
notifications travel the same groups with a `recipient_id` and reach only that
person. The feed is one-way: the browser only listens.
"""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from hitl.console import console_group

UNAUTHENTICATED = 4401
FORBIDDEN = 4403
ALL_TENANTS = console_group("all")
FORWARDED = ("event", "approval_id", "reference", "status", "risk_level", "summary")


class ConsoleConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept()  # accept first: a close code is only delivered on an open socket
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=UNAUTHENTICATED)
            return
        if not user.is_staff or not (user.is_superuser or user.tenant_id):
            await self.close(code=FORBIDDEN)
            return
        self.user = user
        group = ALL_TENANTS if user.is_superuser else console_group(user.tenant_id)
        self.groups.append(group)  # channels discards self.groups on disconnect
        await self.channel_layer.group_add(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        """Ignored, whatever it is: nothing the browser sends changes the feed."""

    async def console_event(self, message):
        recipient = message.get("recipient_id")
        if recipient is not None and recipient != str(self.user.pk):
            return  # someone else's in-app notification
        await self.send_json({"type": "approval", **{key: message.get(key) for key in FORWARDED}})
