"""The admin API's operations endpoints over https with http.client:
GET /admin/api/me/mobileconfig (an Apple profile parsed with plistlib,
carrying the real listeners, hostname and the user), GET
/admin/api/domains/{name}/dns/check (live lookups against a dnslib server on
loopback), GET /admin/api/stats (hourly counters including the current
hour's mail), and the role checks on each."""

import http.client
import plistlib
import smtplib
import time
import unittest

from dnslib import MX, PTR, TXT, A
from dnslib.server import DNSLogger, DNSServer

from harness import HOST, IO_TIMEOUT, CopperServer, message, unverified_context
from test_admin_api import ADMIN, ADMIN_PW, USER, USER_PW, ApiTestCase, Client, q
from test_dns_check import TableResolver

HOSTNAME = "mx.example.test"
LISTENERS = ("smtp", "submission", "submissions", "imap", "imaps", "https")


def download(client, path):
    """GET with the client's session, the body as bytes (not JSON)."""
    conn = http.client.HTTPSConnection(HOST, client.server.port("https"), timeout=IO_TIMEOUT,
                                       context=unverified_context())
    try:
        conn.request("GET", "/admin/api/" + path,
                     headers={"Cookie": f"copper_session={client.cookie}"})
        r = conn.getresponse()
        return r.status, r.headers, r.read()
    finally:
        conn.close()


class AdminOpsTest(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.zone = TableResolver()
        z = cls.zone
        z.add(HOSTNAME, "A", A("127.0.0.1"))
        z.add("1.0.0.127.in-addr.arpa", "PTR", PTR(HOSTNAME + "."))
        z.add("example.test", "MX", MX(HOSTNAME + ".", 10))
        z.add("example.test", "TXT", TXT("v=spf1 mx -all"))
        z.add("_dmarc.example.test", "TXT", TXT("v=DMARC1; p=reject"))
        z.add("other.test", "TXT", TXT("v=spf1 -all"), TXT("v=spf1 mx -all"))
        cls.dns = DNSServer(cls.zone, address=HOST, port=0, logger=DNSLogger("-request,-reply"))
        cls.dns.start_thread()
        port = cls.dns.server.server_address[1]
        cls.server = CopperServer(hostname=HOSTNAME, users={USER: USER_PW},
                                  domains=("example.test", "other.test"), listeners=LISTENERS,
                                  config={"dns": {"servers": [f"{HOST}:{port}"]}}).start()
        cls.server.cli("user", "add", ADMIN, "--admin", "--password-stdin", input=ADMIN_PW + "\n")

    @classmethod
    def tearDownClass(cls):
        cls.dns.stop()
        code = cls.server.stop()
        cls.server.cleanup()
        if code != 0:
            raise AssertionError(f"copper exited with {code} on SIGTERM")

    def login(self, user, password):
        c = Client(self.server)
        self.assertEqual(c.login(user, password).status, 200)
        return c

    # ---- .mobileconfig ---------------------------------------------------------

    def test_mobileconfig_for_the_logged_in_user(self):
        status, headers, body = download(self.login(USER, USER_PW), "me/mobileconfig")
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["Content-Type"], "application/x-apple-aspen-config")
        self.assertEqual(headers["Content-Disposition"],
                         'attachment; filename="copper.mobileconfig"')
        profile = plistlib.loads(body)
        self.assertEqual(profile["PayloadType"], "Configuration")
        mail = profile["PayloadContent"][0]
        self.assertEqual(mail["PayloadType"], "com.apple.mail.managed")
        self.assertEqual(mail["EmailAddress"], USER)
        self.assertEqual(mail["IncomingMailServerUsername"], USER)
        self.assertEqual(mail["OutgoingMailServerUsername"], USER)
        self.assertEqual(mail["IncomingMailServerHostName"], HOSTNAME)
        # Implicit TLS preferred: imaps and submissions are configured.
        self.assertEqual(mail["IncomingMailServerPortNumber"], self.server.port("imaps"))
        self.assertEqual(mail["OutgoingMailServerPortNumber"], self.server.port("submissions"))
        self.assertTrue(mail["IncomingMailServerUseSSL"])
        # Stable UUIDs: downloading again replaces the installed profile.
        again = plistlib.loads(download(self.login(USER, USER_PW), "me/mobileconfig")[2])
        self.assertEqual(again["PayloadUUID"], profile["PayloadUUID"])
        admin_profile = plistlib.loads(download(self.login(ADMIN, ADMIN_PW), "me/mobileconfig")[2])
        self.assertNotEqual(admin_profile["PayloadUUID"], profile["PayloadUUID"])

    def test_mobileconfig_needs_a_session(self):
        self.assertError(Client(self.server).get("me/mobileconfig"), 401, "not_authenticated")

    # ---- DNS check -------------------------------------------------------------

    def test_dns_check_of_a_domain(self):
        admin = self.login(ADMIN, ADMIN_PW)
        r = admin.get("domains/example.test/dns/check")
        self.assertEqual(r.status, 200, r)
        by_type = {}
        for c in r.json["checks"]:
            self.assertEqual(set(c), {"type", "name", "expected", "found", "status", "message"})
            by_type.setdefault(c["type"], c)
        self.assertEqual(by_type["MX"]["status"], "ok")
        self.assertEqual(by_type["SPF"]["status"], "ok")
        self.assertEqual(by_type["DMARC"]["status"], "ok")
        self.assertEqual(by_type["DKIM"]["status"], "warning")
        self.assertEqual(by_type["MTA-STS"]["status"], "warning")
        self.assertEqual(by_type["PTR"]["status"], "ok")

        broken = {c["type"]: c for c in admin.get("domains/other.test/dns/check").json["checks"]}
        self.assertEqual(broken["MX"]["status"], "missing")
        self.assertEqual(broken["SPF"]["status"], "wrong")
        self.assertEqual(broken["DMARC"]["status"], "missing")

    def test_dns_check_refusals(self):
        admin = self.login(ADMIN, ADMIN_PW)
        self.assertError(admin.get("domains/unknown.test/dns/check"), 404, "not_found")
        self.assertEqual(admin.get("domains/" + q("not a domain") + "/dns/check").status, 400)
        user = self.login(USER, USER_PW)
        self.assertError(user.get("domains/example.test/dns/check"), 403, "forbidden")

    # ---- stats -------------------------------------------------------------------

    def test_stats_are_hourly_and_admin_only(self):
        admin = self.login(ADMIN, ADMIN_PW)
        r = admin.get("stats")
        self.assertEqual(r.status, 200, r)
        hours = r.json["hours"]
        self.assertEqual(len(hours), 24)
        starts = [h["start"] for h in hours]
        self.assertEqual(starts, sorted(starts))
        self.assertTrue(all(b - a == 3600 for a, b in zip(starts, starts[1:])))
        self.assertEqual(starts[-1] % 3600, 0)
        self.assertLessEqual(starts[-1], time.time())
        for h in hours:
            self.assertEqual(set(h), {"start", "received", "delivered", "rejected",
                                      "failed_logins", "queue_size"})
        self.assertEqual(len(admin.get("stats?hours=168").json["hours"]), 168)
        self.assertEqual(len(admin.get("stats?hours=1").json["hours"]), 1)
        for bad in ("0", "169", "x"):
            self.assertError(admin.get("stats?hours=" + bad), 400, "invalid_field", "hours")
        self.assertError(self.login(USER, USER_PW).get("stats"), 403, "forbidden")


class StatsOverApiTest(ApiTestCase):
    def test_traffic_shows_in_the_current_hour_after_a_restart(self):
        with CopperServer(users={USER: USER_PW}, listeners=("smtp", "https")) as server:
            server.cli("user", "add", ADMIN, "--admin", "--password-stdin",
                       input=ADMIN_PW + "\n")
            with server.smtp() as s:
                for i in range(2):
                    s.sendmail("sender@remote.example", [USER], message(f"s{i}", "x"))
                with self.assertRaises(smtplib.SMTPRecipientsRefused):
                    s.sendmail("sender@remote.example", ["nobody@example.test"],
                               message("no", "x"))
            self.assertEqual(Client(server).login(ADMIN, "wrong-password").status, 401)
            # The sampler runs every minute and once more at shutdown.
            server.restart()
            c = Client(server)
            self.assertEqual(c.login(ADMIN, ADMIN_PW).status, 200)
            hours = c.get("stats?hours=2").json["hours"]
            self.assertEqual(sum(h["received"] for h in hours), 2)
            self.assertEqual(sum(h["rejected"] for h in hours), 1)
            self.assertEqual(sum(h["failed_logins"] for h in hours), 1)  # the web login


if __name__ == "__main__":
    unittest.main()
