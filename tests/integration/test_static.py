"""The web apps' static files (http/static_files.h) with curl, a client we did
not write: gzip with Vary, ETag and 304, single ranges (206, 416, If-Range),
caching headers of hashed assets and of index.html, the single-page app
fallback, and path traversal refused. A small site is written into a
temporary web_root; one test checks the real Vite build beside the binary."""

import gzip
import http.client
import os
import re
import subprocess
import tempfile
import unittest

from harness import HOST, IO_TIMEOUT, CopperServer, CopperTestCase, binary_path

INDEX = b'<!doctype html>\n<html><head><script type="module" src="/admin/assets/app-1a2b.js"></script></head><body><div id="app"></div></body></html>\n'
SCRIPT = b"export const text = '" + b"copper " * 4000 + b"';\n"
DOWNLOAD = bytes(range(256)) * 40  # 10240 bytes that gzip would not shrink much
SECRET = b"not part of the site"


def curl(url, *args):
    """(status, headers dict with lower-case names, body bytes) of one curl request."""
    with tempfile.NamedTemporaryFile() as body, tempfile.NamedTemporaryFile() as head:
        subprocess.run(["curl", "-sS", "--max-time", str(int(IO_TIMEOUT)), "-D", head.name, "-o",
                        body.name, *args, url], check=True)
        lines = open(head.name, "rb").read().decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        return status, headers, open(body.name, "rb").read()


class StaticFilesTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="copper-web-")
        os.makedirs(os.path.join(cls.root, "admin", "assets"))
        files = {"admin/index.html": INDEX, "admin/assets/app-1a2b.js": SCRIPT,
                 "admin/files/download.bin": DOWNLOAD, "secret.txt": SECRET}
        for name, data in files.items():
            path = os.path.join(cls.root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        # Plain http only: then it serves everything itself, as with no https.
        cls.server = CopperServer(listeners=("http",),
                                  config={"http": {"web_root": cls.root}}).start()
        cls.base = f"http://{HOST}:{cls.server.port('http')}"

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.cleanup()
        subprocess.run(["rm", "-rf", cls.root], check=True)
        if code != 0:
            raise AssertionError(f"copper exited with {code} on SIGTERM")

    def test_index_and_app_routes_revalidate(self):
        for path in ("/admin/", "/admin/users", "/admin/domains/example.org/dns"):
            status, headers, body = curl(self.base + path)
            self.assertEqual(status, 200, path)
            self.assertEqual(body, INDEX, path)
            self.assertEqual(headers["content-type"], "text/html; charset=utf-8")
            self.assertEqual(headers["cache-control"], "no-cache")

    def test_hashed_asset_is_immutable_and_gzipped_for_clients_that_accept_it(self):
        status, headers, body = curl(self.base + "/admin/assets/app-1a2b.js",
                                     "-H", "Accept-Encoding: gzip")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-encoding"], "gzip")
        self.assertEqual(headers["vary"], "Accept-Encoding")
        self.assertEqual(headers["cache-control"], "public, max-age=31536000, immutable")
        self.assertTrue(headers["content-type"].startswith("application/javascript"))
        self.assertLess(len(body), len(SCRIPT) // 10)
        self.assertEqual(gzip.decompress(body), SCRIPT)
        # curl --compressed negotiates and decodes by itself.
        status, _, body = curl(self.base + "/admin/assets/app-1a2b.js", "--compressed")
        self.assertEqual(body, SCRIPT)
        # Without Accept-Encoding: identity, with the same Vary.
        status, headers, body = curl(self.base + "/admin/assets/app-1a2b.js")
        self.assertNotIn("content-encoding", headers)
        self.assertEqual(headers["vary"], "Accept-Encoding")
        self.assertEqual(body, SCRIPT)

    def test_etag_gives_304(self):
        for extra in ([], ["-H", "Accept-Encoding: gzip"]):
            status, headers, _ = curl(self.base + "/admin/", *extra)
            etag = headers["etag"]
            self.assertRegex(etag, r'^"[0-9a-f]+(-gz)?"$')
            status, headers, body = curl(self.base + "/admin/", "-H", f"If-None-Match: {etag}",
                                         *extra)
            self.assertEqual(status, 304)
            self.assertEqual(body, b"")
            self.assertEqual(headers["etag"], etag)
        status, _, _ = curl(self.base + "/admin/", "-H", 'If-None-Match: "stale"')
        self.assertEqual(status, 200)

    def test_ranges(self):
        url = self.base + "/admin/files/download.bin"
        status, headers, body = curl(url, "-r", "100-199")
        self.assertEqual(status, 206)
        self.assertEqual(body, DOWNLOAD[100:200])
        self.assertEqual(headers["content-range"], f"bytes 100-199/{len(DOWNLOAD)}")
        self.assertEqual(headers["accept-ranges"], "bytes")
        status, headers, body = curl(url, "-r", "-16")
        self.assertEqual((status, body), (206, DOWNLOAD[-16:]))
        status, headers, _ = curl(url, "-r", f"{len(DOWNLOAD)}-")
        self.assertEqual(status, 416)
        self.assertEqual(headers["content-range"], f"bytes */{len(DOWNLOAD)}")
        # If-Range: the current tag gets the range, any other the whole file.
        etag = curl(url)[1]["etag"]
        status, _, body = curl(url, "-r", "0-9", "-H", f"If-Range: {etag}")
        self.assertEqual((status, body), (206, DOWNLOAD[:10]))
        status, _, body = curl(url, "-r", "0-9", "-H", 'If-Range: "old"')
        self.assertEqual((status, body), (200, DOWNLOAD))
        # Several ranges: the whole file rather than multipart/byteranges.
        status, _, body = curl(url, "-r", "0-1,5-6")
        self.assertEqual((status, body), (200, DOWNLOAD))
        # curl resumes an interrupted download with a range.
        with tempfile.TemporaryDirectory() as d:
            part = os.path.join(d, "download.bin")
            with open(part, "wb") as f:
                f.write(DOWNLOAD[:1000])
            subprocess.run(["curl", "-sS", "-C", "-", "-o", part, url], check=True)
            self.assertEqual(open(part, "rb").read(), DOWNLOAD)

    def test_path_traversal_is_refused(self):
        for path in ("/admin/../secret.txt", "/admin/%2e%2e/secret.txt", "/admin/..%2fsecret.txt",
                     "/admin/assets/../../secret.txt", "/admin/%2E%2E%2Fsecret.txt",
                     "/admin/..%5csecret.txt", "/admin//secret.txt", "/admin/./index.html",
                     "/admin/%00"):
            status, _, body = curl(self.base + path, "--path-as-is")
            self.assertNotEqual(status, 200, path)
            self.assertNotIn(SECRET, body, path)
            self.assertNotIn(b"<!doctype html>", body, path)

    def test_missing_asset_and_api_paths_are_not_the_app(self):
        for path in ("/admin/assets/gone-9999.js", "/admin/missing.css"):
            status, headers, body = curl(self.base + path)
            self.assertEqual(status, 404, path)
            self.assertNotIn(b"<!doctype html>", body)
        status, _, body = curl(self.base + "/admin/api/no-such-endpoint")
        self.assertIn(status, (401, 404))
        self.assertNotIn(b"<!doctype html>", body)

    def test_head(self):
        conn = http.client.HTTPConnection(HOST, self.server.port("http"), timeout=IO_TIMEOUT)
        try:
            conn.request("HEAD", "/admin/files/download.bin")
            res = conn.getresponse()
            self.assertEqual(res.status, 200)
            self.assertEqual(int(res.getheader("Content-Length")), len(DOWNLOAD))
            self.assertEqual(res.read(), b"")
        finally:
            conn.close()


class BuiltAppTest(CopperTestCase):
    """The Vite build that `make build` puts beside the binary (build/web)."""

    def test_default_web_root_serves_the_admin_app(self):
        web = os.path.join(os.path.dirname(binary_path()), "web", "admin", "index.html")
        if not os.path.exists(web):
            self.skipTest(f"no web build at {web}")
        with CopperServer(listeners=("http",)) as server:
            base = f"http://{HOST}:{server.port('http')}"
            status, headers, body = curl(base + "/admin/")
            self.assertEqual(status, 200)
            self.assertEqual(body, open(web, "rb").read())
            # Vite's output obeys the CSP: no inline script or style.
            self.assertNotRegex(body, rb"<script(?![^>]*\bsrc=)[^>]*>")
            self.assertNotIn(b"<style", body)
            self.assertNotIn(b" style=", body)
            assets = re.findall(rb'(?:src|href)="(/admin/assets/[^"]+)"', body)
            self.assertTrue(assets)
            for asset in assets:
                status, headers, _ = curl(base + asset.decode(), "--compressed")
                self.assertEqual(status, 200, asset)
                self.assertEqual(headers["cache-control"], "public, max-age=31536000, immutable")


if __name__ == "__main__":
    unittest.main()
