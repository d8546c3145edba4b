from channels.security.websocket import OriginValidator


class BrowserOriginValidator(OriginValidator):
    """Refuse sockets opened by pages of other sites; allow clients that send no Origin.

    Browsers always send Origin, so a missing one means a non-browser client (a
    server-side integration, the benchmark). It cannot ride a user's cookies from
    another site, and it still has to authenticate.
    """

    def valid_origin(self, parsed_origin):
        return parsed_origin is None or super().valid_origin(parsed_origin)
