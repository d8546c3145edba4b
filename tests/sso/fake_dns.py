"""A DNS server on 127.0.0.1 (dnslib) answering TXT questions from a dict, for the proofs of sign-in domains:
`records[name] = ["value", ...]`; a name it does not hold answers NXDOMAIN."""

from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSLogger, DNSServer


class Zone(BaseResolver):
    def __init__(self):
        self.records: dict[str, list[str]] = {}
        self.questions: list[str] = []

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        self.questions.append(name)
        if name not in self.records:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype == QTYPE.TXT:
            for value in self.records[name]:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=60))
        return reply


class FakeDNS:
    def __init__(self):
        self.zone = Zone()
        self.server = DNSServer(self.zone, address="127.0.0.1", port=0, logger=DNSLogger(logf=lambda _: None))

    @property
    def port(self) -> int:
        return self.server.server.server_address[1]

    def __enter__(self):
        self.server.start_thread()
        return self

    def __exit__(self, *exc):
        self.server.stop()
