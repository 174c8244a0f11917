"""The live DNS check (`copper dns-check DOMAIN`, the body of the admin API's
/domains/{name}/dns/check) against a real DNS server on loopback: dnslib
serving a zone from a table this test controls, Copper configured with
[dns] servers = ["127.0.0.1:PORT"]. A correct domain is all ok (DKIM: a
warning until signing exists); broken ones get the right statuses."""

import json
import threading
import unittest

from dnslib import AAAA, MX, PTR, QTYPE, RCODE, RR, TXT, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer

from harness import HOST, CopperServer, CopperTestCase

HOSTNAME = "mx.example.test"


class TableResolver(BaseResolver):
    """Answers from {(name, type): [rdata]}; NXDOMAIN for names not in it."""

    def __init__(self):
        self.lock = threading.Lock()
        self.records = {}
        self.servfail = set()

    def add(self, name, qtype, *rdata):
        with self.lock:
            self.records.setdefault((name.lower().rstrip("."), qtype), []).extend(rdata)

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).lower().rstrip(".")
        qtype = QTYPE[request.q.qtype]
        with self.lock:
            if any(name == s or name.endswith("." + s) for s in self.servfail):
                reply.header.rcode = RCODE.SERVFAIL
                return reply
            answers = self.records.get((name, qtype), [])
            known = any(n == name for n, _ in self.records)
        for rdata in answers:
            reply.add_answer(RR(name, request.q.qtype, rdata=rdata, ttl=60))
        if not known:
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


class DnsCheckTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.zone = TableResolver()
        z = cls.zone
        # The mail host: 127.0.0.1 with a matching PTR, ::1 without one.
        z.add(HOSTNAME, "A", A("127.0.0.1"))
        z.add(HOSTNAME, "AAAA", AAAA("::1"))
        z.add("1.0.0.127.in-addr.arpa", "PTR", PTR(HOSTNAME + "."))
        z.add("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa", "PTR",
              PTR("localhost."))
        # good.test publishes everything Copper asks for.
        z.add("good.test", "MX", MX(HOSTNAME + ".", 10))
        z.add("good.test", "TXT", TXT("v=spf1 mx -all"), TXT("site-verification=abc"))
        z.add("_dmarc.good.test", "TXT", TXT("v=DMARC1; p=quarantine; adkim=s; aspf=s"))
        z.add("_mta-sts.good.test", "TXT", TXT("v=STSv1; id=20261129"))
        # bad.test: no MX, two SPF records, no DMARC, no MTA-STS.
        z.add("bad.test", "TXT", TXT("v=spf1 mx -all"), TXT("v=spf1 a -all"))
        # other.test: MX elsewhere, SPF without the mail host, DMARC without p=.
        z.add("other.test", "MX", MX("mail.elsewhere.example.", 10))
        z.add("other.test", "TXT", TXT("v=spf1 ip4:192.0.2.0/24 -all"))
        z.add("_dmarc.other.test", "TXT", TXT("v=DMARC1; rua=mailto:d@other.test"))
        z.servfail.add("broken.test")  # and every name below it
        cls.dns = DNSServer(cls.zone, address=HOST, port=0, logger=DNSLogger("-request,-reply"))
        cls.dns.start_thread()
        port = cls.dns.server.server_address[1]
        cls.server = CopperServer(hostname=HOSTNAME,
                                  config={"dns": {"servers": [f"{HOST}:{port}"]}})
        cls.server.write_config()
        cls.server.prepare()

    @classmethod
    def tearDownClass(cls):
        cls.dns.stop()
        cls.server.cleanup()

    def check(self, domain, expect_exit):
        r = self.server.cli("dns-check", domain, check=False)
        self.assertEqual(r.returncode, expect_exit, r.stdout + r.stderr)
        body = json.loads(r.stdout)
        for c in body["checks"]:
            self.assertEqual(set(c), {"type", "name", "expected", "found", "status", "message"})
            self.assertIn(c["status"], ("ok", "missing", "wrong", "warning"))
        return body["checks"]

    def by_type(self, checks):
        out = {}
        for c in checks:
            out.setdefault(c["type"], []).append(c)
        return out

    def test_correct_domain_is_ok(self):
        checks = self.by_type(self.check("good.test", 0))
        for kind in ("MX", "SPF", "DMARC", "MTA-STS"):
            self.assertEqual(checks[kind][0]["status"], "ok", checks[kind])
        self.assertEqual(checks["MX"][0]["found"], [f"10 {HOSTNAME}."])
        self.assertEqual(checks["SPF"][0]["found"], ["v=spf1 mx -all"])
        self.assertEqual(checks["DKIM"][0]["status"], "warning")
        self.assertIn("not set up yet", checks["DKIM"][0]["message"])
        ptr = {c["name"]: c for c in checks["PTR"]}
        self.assertEqual(ptr["1.0.0.127.in-addr.arpa"]["status"], "ok")
        self.assertEqual(ptr["1.0.0.127.in-addr.arpa"]["found"], [HOSTNAME + "."])
        v6 = [c for name, c in ptr.items() if name.endswith("ip6.arpa")]
        self.assertEqual(len(v6), 1)
        self.assertEqual(v6[0]["status"], "warning")  # ::1 maps back to localhost
        self.assertEqual(v6[0]["found"], ["localhost."])

    def test_broken_domain(self):
        checks = self.by_type(self.check("bad.test", 1))
        self.assertEqual(checks["MX"][0]["status"], "missing")
        self.assertEqual(checks["SPF"][0]["status"], "wrong")
        self.assertEqual(len(checks["SPF"][0]["found"]), 2)
        self.assertEqual(checks["DMARC"][0]["status"], "missing")
        self.assertEqual(checks["MTA-STS"][0]["status"], "warning")

    def test_spf_without_the_mail_host(self):
        checks = self.by_type(self.check("other.test", 1))
        self.assertEqual(checks["MX"][0]["status"], "wrong")
        self.assertEqual(checks["MX"][0]["found"], ["10 mail.elsewhere.example."])
        self.assertEqual(checks["SPF"][0]["status"], "wrong")
        self.assertIn(HOSTNAME, checks["SPF"][0]["message"])
        self.assertEqual(checks["DMARC"][0]["status"], "wrong")

    def test_server_failure_is_not_reported_as_missing(self):
        checks = self.by_type(self.check("broken.test", 0))
        self.assertEqual(checks["MX"][0]["status"], "warning")
        self.assertIn("servfail", checks["MX"][0]["message"])

    def test_bad_domain_name_is_refused(self):
        r = self.server.cli("dns-check", "not a domain", check=False)
        self.assertNotEqual(r.returncode, 0)


if __name__ == "__main__":
    unittest.main()
