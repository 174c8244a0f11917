"""The admin JSON API (/admin/api/, docs/openapi.yaml) against the real server
with Python's http.client over TLS: login, the session cookie and its
attributes, logout, idle and absolute session expiry, CSRF refusal, roles,
validation errors with code and field, every management operation, the
failed-login limiter shared with IMAP, and that users created, disabled or
given a new password over the API are seen at once by SMTP submission
(smtplib, STARTTLS) and IMAP (imaplib)."""

import http.client
import imaplib
import json
import poplib
import re
import smtplib
import time
import unittest
import urllib.parse

from harness import (DEFAULT_PASSWORD, HOST, IO_TIMEOUT, CopperServer, CopperTestCase, unique,
                     unverified_context, wait_until)

ADMIN = "boss@example.test"
ADMIN_PW = "admin-password-1"
USER = "demo@example.test"
USER_PW = DEFAULT_PASSWORD
LISTENERS = ("smtp", "submission", "imaps", "pop3s", "https")
# Generous limits: the tests here fail logins on purpose, and must not trip them.
CONFIG = {"auth": {"max_failures_per_ip": 1000, "max_failures_per_account": 100}}


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        self.json = json.loads(body) if body else None

    def __repr__(self):
        return f"Response({self.status}, {self.raw[:300]!r})"


class Client:
    """One browser-like client: keeps the session cookie and the CSRF token."""

    def __init__(self, server):
        self.server = server
        self.cookie = None
        self.csrf = None

    def request(self, method, path, body=None, *, headers=None, csrf=True, raw=None,
                content_type="application/json"):
        conn = http.client.HTTPSConnection(HOST, self.server.port("https"), timeout=IO_TIMEOUT,
                                           context=unverified_context())
        h = dict(headers or {})
        if self.cookie:
            h.setdefault("Cookie", f"copper_session={self.cookie}")
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            h.setdefault("X-CSRF-Token", self.csrf)
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        if data is not None:
            h.setdefault("Content-Type", content_type)
        try:
            conn.request(method, "/admin/api/" + path, body=data, headers=h)
            r = conn.getresponse()
            return Response(r.status, r.headers, r.read())
        finally:
            conn.close()

    def login(self, username, password, **kw):
        r = self.request("POST", "login", {"username": username, "password": password}, **kw)
        if r.status == 200:
            cookie = r.headers["Set-Cookie"]
            self.cookie = re.match(r"copper_session=([0-9a-f]+);", cookie).group(1)
            self.csrf = r.json["csrf_token"]
        return r

    get = lambda self, path, **kw: self.request("GET", path, **kw)
    post = lambda self, path, body=None, **kw: self.request("POST", path, body, **kw)
    patch = lambda self, path, body=None, **kw: self.request("PATCH", path, body, **kw)
    delete = lambda self, path, **kw: self.request("DELETE", path, **kw)


def q(address):
    return urllib.parse.quote(address, safe="")


def smtp_login(server, user, password):
    """True if AUTH over submission (STARTTLS) succeeds, False on 535."""
    with smtplib.SMTP(HOST, server.port("submission"), timeout=IO_TIMEOUT) as c:
        c.starttls(context=unverified_context())
        try:
            c.login(user, password)
            return True
        except smtplib.SMTPAuthenticationError:
            return False


def imap_login(server, user, password):
    conn = imaplib.IMAP4_SSL(HOST, server.port("imaps"), ssl_context=unverified_context(),
                             timeout=IO_TIMEOUT)
    try:
        conn.login(user, password)
        conn.logout()
        return True
    except imaplib.IMAP4.error as e:
        conn.shutdown()
        return str(e)


def pop3_login(server, user, password):
    conn = poplib.POP3_SSL(HOST, server.port("pop3s"), context=unverified_context(),
                           timeout=IO_TIMEOUT)
    try:
        conn.user(user)
        conn.pass_(password)
        return True
    except poplib.error_proto:
        return False
    finally:
        conn.quit()


class ApiTestCase(CopperTestCase):
    def assertError(self, r, status, code, field=None):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.headers["Content-Type"], "application/json", r)
        self.assertEqual(r.json["code"], code, r)
        self.assertTrue(r.json["error"], r)
        if field is not None:
            self.assertEqual(r.json.get("field"), field, r)


class AdminApiTest(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CopperServer(users={USER: USER_PW}, listeners=LISTENERS,
                                  config=CONFIG).start()
        cls.server.cli("user", "add", ADMIN, "--admin", "--password-stdin", input=ADMIN_PW + "\n")

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.cleanup()
        if code != 0:
            raise AssertionError(f"copper exited with {code} on SIGTERM")

    def admin(self):
        c = Client(self.server)
        self.assertEqual(c.login(ADMIN, ADMIN_PW).status, 200)
        return c

    def new_user(self, admin, password="user-password-1", **extra):
        address = f"{unique('u').lower()}@example.test"
        r = admin.post("users", {"address": address, "password": password, **extra})
        self.assertEqual(r.status, 201, r)
        return address

    # ---- sessions ----------------------------------------------------------

    def test_login_sets_a_strict_session_cookie(self):
        c = Client(self.server)
        r = c.login(ADMIN.upper(), ADMIN_PW)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["user"], {"address": ADMIN, "role": "admin"})
        self.assertRegex(r.json["csrf_token"], r"^[0-9a-f]{64}$")
        cookie = r.headers["Set-Cookie"]
        self.assertRegex(cookie, r"^copper_session=[0-9a-f]{64};")
        attributes = {a.strip() for a in cookie.split(";")[1:]}
        self.assertEqual(attributes, {"Path=/", "Secure", "HttpOnly", "SameSite=Strict"})
        # Only the token's hash is stored.
        rows = self.server.query("SELECT token_sha256 FROM web_sessions")
        self.assertNotIn(c.cookie, [row[0] for row in rows])
        s = c.get("session")
        self.assertEqual(s.status, 200, s)
        self.assertEqual(s.json, r.json)
        self.assertEqual(s.headers["Cache-Control"], "no-store")

    def test_bad_logins(self):
        c = Client(self.server)
        self.assertError(c.login(ADMIN, "wrong-password"), 401, "bad_credentials")
        self.assertError(c.login("nobody@example.test", ADMIN_PW), 401, "bad_credentials")
        self.assertIsNone(c.cookie)
        self.assertError(c.post("login", {"username": ADMIN}), 400, "missing_field", "password")
        self.assertError(c.post("login", {"username": ADMIN, "password": 5}), 400,
                         "invalid_field", "password")
        self.assertError(c.post("login", raw="{not json"), 400, "invalid_json")
        self.assertError(c.post("login", raw="[1]"), 400, "invalid_json")
        self.assertError(c.post("login", raw=json.dumps({"username": ADMIN, "password": ADMIN_PW}),
                                content_type="text/plain"), 415, "unsupported_media_type")
        self.assertError(c.login(ADMIN, ADMIN_PW, headers={"Origin": "https://evil.example"}),
                         403, "csrf")
        deep = "[" * 100 + "]" * 100
        self.assertError(c.post("login", raw='{"a":' + deep + "}"), 400, "invalid_json")
        big = json.dumps({"username": "x" * 70000, "password": "y"})
        self.assertError(c.post("login", raw=big), 413, "too_large")

    def test_unauthenticated_requests(self):
        c = Client(self.server)
        self.assertError(c.get("me"), 401, "not_authenticated")
        c.cookie = "0" * 64
        self.assertError(c.get("session"), 401, "not_authenticated")
        c.cookie = "not-a-token"
        self.assertError(c.get("domains"), 401, "not_authenticated")
        self.assertError(c.get("no/such/endpoint"), 404, "not_found")
        r = c.request("PUT", "users")
        self.assertError(r, 405, "method_not_allowed")
        self.assertEqual(r.headers["Allow"], "GET, POST")

    def test_logout_ends_the_session(self):
        c = self.admin()
        r = c.post("logout")
        self.assertEqual(r.status, 204, r)
        self.assertRegex(r.headers["Set-Cookie"], r"^copper_session=; Path=/; Max-Age=0;")
        self.assertError(c.get("session"), 401, "not_authenticated")
        self.assertError(c.post("logout"), 401, "not_authenticated")

    def test_csrf_is_refused(self):
        c = self.admin()
        name = unique("csrf").lower() + ".test"
        self.assertError(c.post("domains", {"name": name}, csrf=False), 403, "csrf")
        self.assertError(c.post("domains", {"name": name}, headers={"X-CSRF-Token": "0" * 64}),
                         403, "csrf")
        self.assertError(c.post("domains", {"name": name},
                                headers={"Origin": "https://attacker.example"}), 403, "csrf")
        self.assertError(c.post("domains", {"name": name}, headers={"Origin": "null"}), 403,
                         "csrf")
        # Another session's token is not this one's.
        other = self.admin()
        self.assertError(c.post("domains", {"name": name}, headers={"X-CSRF-Token": other.csrf}),
                         403, "csrf")
        self.assertNotIn(name, [d["name"] for d in c.get("domains?limit=500").json["items"]])
        same_origin = f"https://{HOST}:{self.server.port('https')}"
        r = c.post("domains", {"name": name}, headers={"Origin": same_origin})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(c.delete("domains/" + name).status, 204)

    def test_non_admin_is_forbidden_on_every_admin_route(self):
        c = Client(self.server)
        self.assertEqual(c.login(USER, USER_PW).status, 200)
        me = c.get("me")
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.json["role"], "user")
        admin_routes = [("GET", "domains"), ("POST", "domains"), ("DELETE", "domains/example.test"),
                        ("GET", "domains/example.test/dns"), ("GET", "users"), ("POST", "users"),
                        ("GET", "users/" + q(USER)), ("PATCH", "users/" + q(USER)),
                        ("DELETE", "users/" + q(ADMIN)), ("GET", "aliases"), ("POST", "aliases"),
                        ("DELETE", "aliases/x%40example.test"), ("GET", "queue"),
                        ("POST", "queue/flush"), ("DELETE", "queue/1"), ("GET", "status")]
        for method, path in admin_routes:
            body = {} if method in ("POST", "PATCH") else None
            self.assertError(c.request(method, path, body), 403, "forbidden")
        # Nothing changed: the admin still exists and the user is no admin.
        self.assertEqual(self.admin().get("users/" + q(ADMIN)).status, 200)

    # ---- validation --------------------------------------------------------

    def test_validation_errors(self):
        c = self.admin()
        self.assertError(c.post("users", {"address": "not an address", "password": "long-enough"}),
                         400, "invalid_address", "address")
        self.assertError(c.post("users", {"address": "x@example.test", "password": "short"}), 400,
                         "weak_password", "password")
        self.assertError(c.post("users", {"address": "x@example.test"}), 400, "missing_field",
                         "password")
        self.assertError(c.post("users", {"address": "x@example.test", "password": "long-enough",
                                          "quota_bytes": "lots"}), 400, "invalid_field",
                         "quota_bytes")
        self.assertError(c.post("users", {"address": "x@example.test", "password": "long-enough",
                                          "quota_bytes": -1}), 400, "invalid_field", "quota_bytes")
        self.assertError(c.post("users", {"address": "x@example.test", "password": "long-enough",
                                          "quota_bytes": 2 ** 60}), 400, "invalid_quota",
                         "quota_bytes")
        self.assertError(c.post("users", {"address": "x@example.test", "password": "long-enough",
                                          "role": "root"}), 400, "invalid_role", "role")
        self.assertError(c.post("users", {"address": "x@elsewhere.test",
                                          "password": "long-enough"}), 400, "unknown_domain",
                         "address")
        self.assertError(c.post("users", {"address": USER, "password": "long-enough"}), 409,
                         "exists")
        self.assertError(c.post("domains", {"name": "not a domain"}), 400, "invalid_domain",
                         "name")
        self.assertError(c.post("domains", {"name": "example.test"}), 409, "exists")
        self.assertError(c.delete("domains/example.test"), 409, "not_empty")
        self.assertError(c.delete("domains/never.test"), 404, "not_found")
        self.assertError(c.get("users/" + q("nobody@example.test")), 404, "not_found")
        self.assertError(c.get("users/not-an-address"), 400, "invalid_address")
        self.assertError(c.patch("users/" + q(USER), {"disabled": "yes"}), 400, "invalid_field",
                         "disabled")
        self.assertError(c.patch("users/" + q(USER), {"password": "short"}), 400,
                         "weak_password", "password")
        self.assertError(c.get("users?limit=501"), 400, "invalid_field", "limit")
        self.assertError(c.get("users?offset=-1"), 400, "invalid_field", "offset")
        self.assertError(c.post("aliases", {"alias": "a@example.test", "targets": []}), 400,
                         "invalid_address", "targets")
        self.assertError(c.post("aliases", {"alias": "a@example.test", "targets": ["bad target"]}),
                         400, "invalid_address", "targets")
        self.assertError(c.post("aliases", {"alias": "a@example.test", "targets": "x@y.test"}),
                         400, "invalid_field", "targets")
        self.assertError(c.post("aliases", {"alias": USER, "targets": [ADMIN]}), 409, "exists",
                         "alias")
        self.assertError(c.delete("aliases/" + q("none@example.test")), 404, "not_found")
        self.assertError(c.delete("queue/abc"), 400, "invalid_field", "id")
        self.assertError(c.delete("queue/999999"), 404, "not_found")
        self.assertError(c.get("domains/bad..domain/dns"), 400, "invalid_domain")
        self.assertEqual(c.get("users/a%zz").status, 400)  # refused with the request target
        self.assertError(c.get("domains/unknown.test/dns"), 404, "not_found")

    # ---- management operations ---------------------------------------------

    def test_domains(self):
        c = self.admin()
        names = [f"{unique('d').lower()}.test" for _ in range(3)]
        for name in names:
            r = c.post("domains", {"name": name.upper()})
            self.assertEqual(r.status, 201, r)
            self.assertEqual(r.json, {"name": name})
        listing = c.get("domains?limit=500").json
        self.assertGreaterEqual(listing["total"], 4)
        example = [d for d in listing["items"] if d["name"] == "example.test"][0]
        self.assertGreaterEqual(example["users"], 2)
        prefix = names[0][:-5]
        one = c.get("domains?q=" + prefix).json
        self.assertEqual(one, {"items": [{"name": names[0], "users": 0, "aliases": 0}],
                               "total": 1})
        page = c.get("domains?limit=2&offset=1").json
        self.assertEqual(len(page["items"]), 2)
        self.assertEqual(page["items"][0], listing["items"][1])
        self.assertEqual(page["total"], listing["total"])
        self.assertIn(names[0], self.server.cli("domain", "list").stdout.split())
        for name in names:
            self.assertEqual(c.delete("domains/" + name).status, 204)
        self.assertNotIn(names[0], self.server.cli("domain", "list").stdout.split())

    def test_user_created_over_the_api_logs_in_everywhere(self):
        c = self.admin()
        address = f"{unique('new').lower()}@example.test"
        r = c.post("users", {"address": address, "password": "first-password-1",
                             "quota_bytes": 10485760, "quota_messages": 100})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json, {"address": address, "role": "user", "disabled": False,
                                  "quota_bytes": 10485760, "used_bytes": 0,
                                  "quota_messages": 100, "used_messages": 0})
        self.assertTrue(smtp_login(self.server, address, "first-password-1"))
        self.assertIs(imap_login(self.server, address, "first-password-1"), True)
        got = c.get("users/" + q(address))
        self.assertEqual(got.json, r.json)
        listing = c.get("users?domain=example.test&q=" + q(address)).json
        self.assertEqual(listing, {"items": [r.json], "total": 1})
        self.assertIn(address, self.server.cli("user", "list").stdout)

        # Mail arrives and is counted.
        with self.server.smtp() as s:
            s.sendmail("a@remote.example", [address], "Subject: hi\r\n\r\nhello\r\n")
        me = Client(self.server)
        self.assertEqual(me.login(address, "first-password-1").status, 200)
        used = me.get("me").json
        self.assertEqual(used["used_messages"], 1)
        self.assertGreater(used["used_bytes"], 0)
        self.assertEqual(used["quota_messages"], 100)

        # Quota and role changes.
        r = c.patch("users/" + q(address), {"quota_bytes": 0, "quota_messages": 5, "role": "admin"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["quota_bytes"], r.json["quota_messages"], r.json["role"]),
                         (0, 5, "admin"))
        self.assertEqual(me.get("status").status, 200)  # the role counts at once
        self.assertEqual(c.patch("users/" + q(address), {"role": "user"}).status, 200)
        self.assertError(me.get("status"), 403, "forbidden")

        # A password reset by the admin: the old one stops working everywhere,
        # and the user's web sessions end.
        r = c.patch("users/" + q(address), {"password": "second-password-2"})
        self.assertEqual(r.status, 200, r)
        self.assertFalse(smtp_login(self.server, address, "first-password-1"))
        self.assertTrue(smtp_login(self.server, address, "second-password-2"))
        self.assertIs(imap_login(self.server, address, "second-password-2"), True)
        self.assertError(me.get("me"), 401, "not_authenticated")

        # Disabled: no logins anywhere, mail still arrives.
        self.assertEqual(me.login(address, "second-password-2").status, 200)
        r = c.patch("users/" + q(address), {"disabled": True})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["disabled"])
        self.assertError(me.get("me"), 401, "not_authenticated")
        self.assertFalse(smtp_login(self.server, address, "second-password-2"))
        self.assertIn("AUTHENTICATIONFAILED", imap_login(self.server, address, "second-password-2"))
        self.assertFalse(pop3_login(self.server, address, "second-password-2"))
        self.assertError(Client(self.server).login(address, "second-password-2"), 401,
                         "bad_credentials")
        with self.server.smtp() as s:
            s.sendmail("a@remote.example", [address], "Subject: still\r\n\r\nhere\r\n")
        self.assertEqual(len(self.server.messages_for(address)), 2)
        self.assertIn("disabled", self.server.cli("user", "list").stdout)
        r = c.patch("users/" + q(address), {"disabled": False})
        self.assertFalse(r.json["disabled"])
        self.assertTrue(smtp_login(self.server, address, "second-password-2"))
        self.assertTrue(pop3_login(self.server, address, "second-password-2"))

        self.assertEqual(c.delete("users/" + q(address)).status, 204)
        self.assertError(c.get("users/" + q(address)), 404, "not_found")
        self.assertError(c.delete("users/" + q(address)), 404, "not_found")
        self.assertFalse(smtp_login(self.server, address, "second-password-2"))

    def test_admin_and_user_roles_from_the_cli(self):
        c = self.admin()
        address = self.new_user(c)
        self.server.cli("user", "role", address, "admin")
        self.assertEqual(c.get("users/" + q(address)).json["role"], "admin")
        self.assertRegex(self.server.cli("user", "list").stdout,
                         rf"(?m)^{re.escape(address)}\t.*\tadmin$")
        self.server.cli("user", "role", address, "user")
        self.assertEqual(c.get("users/" + q(address)).json["role"], "user")
        r = self.server.cli("user", "role", address, "root", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("role", r.stderr)
        self.server.cli("user", "disable", address)
        self.assertTrue(c.get("users/" + q(address)).json["disabled"])
        self.assertFalse(smtp_login(self.server, address, "user-password-1"))
        self.server.cli("user", "enable", address)
        self.assertTrue(smtp_login(self.server, address, "user-password-1"))

    def test_the_last_admin_cannot_lock_everyone_out(self):
        with CopperServer(users={ADMIN: ADMIN_PW}, listeners=("https",)) as server:
            server.cli("user", "role", ADMIN, "admin")
            c = Client(server)
            self.assertEqual(c.login(ADMIN, ADMIN_PW).status, 200)
            self.assertError(c.patch("users/" + q(ADMIN), {"role": "user"}), 409, "last_admin")
            self.assertError(c.patch("users/" + q(ADMIN), {"disabled": True}), 409, "last_admin")
            self.assertError(c.delete("users/" + q(ADMIN)), 409, "last_admin")
            self.assertEqual(c.get("users/" + q(ADMIN)).json["role"], "admin")

    def test_own_password_change(self):
        c = self.admin()
        address = self.new_user(c, password="mine-password-1")
        me = Client(self.server)
        other = Client(self.server)
        self.assertEqual(me.login(address, "mine-password-1").status, 200)
        self.assertEqual(other.login(address, "mine-password-1").status, 200)
        self.assertError(me.post("me/password", {"current_password": "mine-password-1",
                                                 "new_password": "short"}), 400, "weak_password",
                         "new_password")
        self.assertError(me.post("me/password", {"current_password": "wrong-password",
                                                 "new_password": "mine-password-2"}), 403,
                         "bad_credentials")
        self.assertError(me.post("me/password", {"new_password": "mine-password-2"}), 400,
                         "missing_field", "current_password")
        r = me.post("me/password", {"current_password": "mine-password-1",
                                    "new_password": "mine-password-2"})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(me.get("me").status, 200)  # this session stays
        self.assertError(other.get("me"), 401, "not_authenticated")  # the others end
        self.assertTrue(smtp_login(self.server, address, "mine-password-2"))
        self.assertFalse(smtp_login(self.server, address, "mine-password-1"))

    def test_aliases(self):
        c = self.admin()
        alias = f"{unique('al').lower()}@example.test"
        r = c.post("aliases", {"alias": alias, "targets": [USER, "friend@remote.example"]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json, {"alias": alias, "targets": [USER, "friend@remote.example"]})
        listing = c.get("aliases?domain=example.test&q=" + q(alias)).json
        self.assertEqual(listing, {"items": [r.json], "total": 1})
        self.assertIn(f"{alias}\t{USER}", self.server.cli("alias", "list").stdout)
        with self.server.smtp() as s:
            s.ehlo()
            self.assertEqual(s.docmd("MAIL FROM:<a@remote.example>")[0], 250)
            self.assertEqual(s.docmd(f"RCPT TO:<{alias}>")[0], 250)
        catch_all = c.post("aliases", {"alias": "@example.test", "targets": [USER]})
        self.assertEqual(catch_all.status, 201, catch_all)
        self.assertEqual(c.delete("aliases/%40example.test").status, 204)
        self.assertEqual(c.delete("aliases/" + q(alias)).status, 204)
        self.assertEqual(c.get("aliases?q=" + q(alias)).json["total"], 0)

    def test_dns_records_match_the_cli(self):
        c = self.admin()
        r = c.get("domains/Example.Test/dns")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["zone"], self.server.cli("dns-records", "example.test").stdout)
        records = r.json["records"]
        mx = [x for x in records if x["type"] == "MX"]
        self.assertEqual(mx, [{"name": "example.test", "ttl": 3600, "type": "MX",
                               "data": "10 mx.example.test.", "purpose": mx[0]["purpose"]}])
        txt = {x["name"]: x["data"] for x in records if x["type"] == "TXT"}
        self.assertEqual(txt["example.test"], "v=spf1 mx -all")
        self.assertTrue(txt["_dmarc.example.test"].startswith("v=DMARC1;"))

    def test_queue(self):
        c = self.admin()
        marker = unique("queued")
        with smtplib.SMTP(HOST, self.server.port("submission"), timeout=IO_TIMEOUT) as s:
            s.starttls(context=unverified_context())
            s.login(USER, USER_PW)
            s.sendmail(USER, [f"{marker}@remote.example"], f"Subject: q\r\n\r\n{marker}\r\n")
        listing = c.get("queue?q=" + marker).json
        self.assertEqual(listing["total"], 1, listing)
        item = listing["items"][0]
        self.assertEqual(item["sender"], USER)
        self.assertEqual(item["recipients"], [f"{marker}@remote.example"])
        self.assertGreater(item["size"], 0)
        self.assertEqual(set(item), {"id", "sender", "recipients", "size", "attempts",
                                     "last_error", "next_attempt"})
        self.assertEqual(c.post("queue/flush").status, 204)
        self.assertEqual(c.delete(f"queue/{item['id']}").status, 204)
        self.assertEqual(c.get("queue?q=" + marker).json["total"], 0)
        self.assertError(c.delete(f"queue/{item['id']}"), 404, "not_found")

    def test_status(self):
        r = self.admin().get("status")
        self.assertEqual(r.status, 200, r)
        s = r.json
        self.assertEqual(s["hostname"], "mx.example.test")
        self.assertGreaterEqual(s["accounts"], 2)
        self.assertGreaterEqual(s["domains"], 1)
        self.assertGreater(s["store_bytes"], 0)
        self.assertGreaterEqual(s["uptime_seconds"], 0)
        self.assertIsInstance(s["queue_length"], int)
        self.assertTrue(s["version"])
        self.assertEqual(s["listeners"]["https"], [f"{HOST}:{self.server.port('https')}"])
        self.assertEqual(s["listeners"]["pop3"], [])
        self.assertEqual(s["listeners"]["pop3s"], [f"{HOST}:{self.server.port('pop3s')}"])


class SharedLimiterTest(ApiTestCase):
    def test_web_failures_lock_imap_too(self):
        with CopperServer(users={USER: USER_PW}, listeners=("imaps", "https"),
                          config={"auth": {"max_failures_per_ip": 3,
                                           "max_failures_per_account": 100,
                                           "failure_window": 600}}) as server:
            c = Client(server)
            for _ in range(3):
                self.assertError(c.login(USER, "wrong-password"), 401, "bad_credentials")
            r = c.login(USER, USER_PW)
            self.assertError(r, 429, "rate_limited")
            self.assertEqual(r.headers["Retry-After"], "600")
            # The same limiter refuses IMAP from this address, right password or not.
            self.assertIn("UNAVAILABLE", imap_login(server, USER, USER_PW))
            # Counted with the other protocols' failures; the refused one is not.
            conn = http.client.HTTPSConnection(HOST, server.port("https"), timeout=IO_TIMEOUT,
                                               context=unverified_context())
            conn.request("GET", "/metrics")
            metrics = conn.getresponse().read().decode()
            conn.close()
            self.assertIn('copper_auth_failures_total{protocol="web"} 3\n', metrics)

    def test_imap_failures_lock_the_web_too(self):
        with CopperServer(users={USER: USER_PW}, listeners=("imaps", "https"),
                          config={"auth": {"max_failures_per_ip": 100,
                                           "max_failures_per_account": 2}}) as server:
            for _ in range(2):
                self.assertIn("AUTHENTICATIONFAILED", imap_login(server, USER, "wrong-password"))
            self.assertError(Client(server).login(USER, USER_PW), 429, "rate_limited")


class SessionExpiryTest(ApiTestCase):
    def test_lifetime_ends_even_a_busy_session(self):
        with CopperServer(users={ADMIN: ADMIN_PW}, listeners=("https",),
                          config={"http": {"session_idle_timeout": 2,
                                           "session_lifetime": 5}}) as server:
            c = Client(server)
            self.assertEqual(c.login(ADMIN, ADMIN_PW).status, 200)
            start = time.monotonic()
            # A request every 0.3 s keeps the 2 s idle clock from running out,
            # so the session lives until its 5 s lifetime.
            wait_until(lambda: c.get("session").status == 401, timeout=20, interval=0.3,
                       message="the session's lifetime to end")
            self.assertGreaterEqual(time.monotonic() - start, 3.5)

    def test_idle_session_expires(self):
        with CopperServer(users={ADMIN: ADMIN_PW}, listeners=("https",),
                          config={"http": {"session_idle_timeout": 2}}) as server:
            c = Client(server)
            self.assertEqual(c.login(ADMIN, ADMIN_PW).status, 200)
            self.assertEqual(c.get("session").status, 200)
            # Not synchronisation: the point is that time passes without requests.
            time.sleep(3.5)
            self.assertError(c.get("session"), 401, "not_authenticated")
            self.assertEqual(server.query("SELECT count(*) FROM web_sessions"), [(0,)])


if __name__ == "__main__":
    unittest.main()
