from channels_app.email.models import ProcessedInboundEmail

__all__ = ["ProcessedInboundEmail"]
