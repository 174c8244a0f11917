"""Config errors stop `copper serve` (and the management commands) with a
non-zero status and a message naming the file, the line and the key."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import CopperTestCase, binary_path, free_port

GOOD = """\
hostname = "mx.example.test"
data_dir = "var"
log_level = "info"

[listen]
smtp = ["127.0.0.1:{port}"]

[smtp]
max_recipients = 10
"""


class ConfigErrorTest(CopperTestCase):
    def setUp(self):
        self.binary = binary_path()
        self.dir = tempfile.mkdtemp(prefix="copper-it-config-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.path = os.path.join(self.dir, "copper.toml")

    def run_copper(self, text, *args):
        if text is not None:
            with open(self.path, "w", encoding="utf-8") as f:
                f.write(text.replace("{port}", str(free_port())))
        args = args or ("serve",)
        r = subprocess.run([self.binary, "--config", self.path, *args], capture_output=True,
                           text=True, timeout=30, stdin=subprocess.DEVNULL, cwd=self.dir)
        return r.returncode, r.stdout + r.stderr

    def assertConfigError(self, text, line, pattern, *args):
        code, out = self.run_copper(text, *args)
        self.assertNotEqual(code, 0, out)
        self.assertNotIn("event=listening", out, "a bad config must not start listeners")
        expected = rf"{re.escape(self.path)}:{line}:( ?\d+:)? ?{pattern}"
        self.assertRegex(out, expected)
        self.assertEqual(len(out.strip().splitlines()), 1, f"one clear line expected:\n{out}")
        return out

    def test_good_config_serves(self):
        # The baseline the error cases are edited from: it does start (checked
        # by asking a management command, which loads the same file).
        code, out = self.run_copper(GOOD, "domain", "list")
        self.assertEqual(code, 0, out)

    def test_unknown_key(self):
        text = GOOD + "bogus = 1\n"
        self.assertConfigError(text, 10, r"smtp\.bogus: unknown key")

    def test_unknown_top_level_key(self):
        text = 'hostnme = "typo.example"\n' + GOOD
        self.assertConfigError(text, 1, r"hostnme: unknown key")

    def test_unknown_section(self):
        text = GOOD + "\n[imapd]\nport = 143\n"
        self.assertConfigError(text, 11, r"imapd: unknown key")

    def test_unknown_listener(self):
        text = GOOD.replace('smtp = ["127.0.0.1:{port}"]',
                            'smtp = ["127.0.0.1:{port}"]\nlmtp = ["127.0.0.1:24"]')
        self.assertConfigError(text, 7, r"listen\.lmtp: unknown key")

    def test_bad_integer(self):
        text = GOOD.replace("max_recipients = 10", 'max_recipients = "lots"')
        self.assertConfigError(text, 9, r"smtp\.max_recipients: expected an integer")

    def test_integer_out_of_range(self):
        text = GOOD.replace("max_recipients = 10", "max_recipients = 0")
        self.assertConfigError(text, 9, r"smtp\.max_recipients: expected an integer from 1 to")

    def test_bad_size(self):
        text = GOOD + 'max_message_size = "50Q"\n'
        self.assertConfigError(text, 10, r"smtp\.max_message_size: .*50Q")

    def test_bad_bool(self):
        text = GOOD + "\n[auth]\nplaintext_on_loopback = \"yes\"\n"
        self.assertConfigError(text, 12, r"auth\.plaintext_on_loopback: expected true or false")

    def test_bad_endpoint(self):
        text = GOOD.replace('smtp = ["127.0.0.1:{port}"]', 'smtp = ["127.0.0.1"]')
        self.assertConfigError(text, 6, r"listen\.smtp: '127\.0\.0\.1' is not host:port")

    def test_bad_log_level(self):
        text = GOOD.replace('log_level = "info"', 'log_level = "loud"')
        self.assertConfigError(text, 3, r"log_level: expected one of")

    def test_unsupported_backend(self):
        text = GOOD + '\n[store]\nbackend = "mariadb"\n'
        self.assertConfigError(text, 12, r"store\.backend: 'mariadb' is not supported")

    def test_toml_syntax_error(self):
        text = GOOD + "max_errors = = 3\n"
        self.assertConfigError(text, 10, r".+")

    def test_duplicate_key(self):
        text = GOOD + "max_recipients = 11\n"
        self.assertConfigError(text, 10, r".+")

    def test_management_commands_check_config_too(self):
        text = GOOD + "bogus = 1\n"
        self.assertConfigError(text, 10, r"smtp\.bogus: unknown key", "domain", "list")

    def test_missing_file(self):
        missing = os.path.join(self.dir, "nowhere", "copper.toml")
        r = subprocess.run([self.binary, "--config", missing, "serve"], capture_output=True,
                           text=True, timeout=30, cwd=self.dir)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(missing, r.stderr)
        self.assertIn("not found", r.stderr)

    def test_missing_default_file(self):
        env = {k: v for k, v in os.environ.items() if k != "COPPER_CONFIG"}
        r = subprocess.run([self.binary, "serve"], capture_output=True, text=True, timeout=30,
                           cwd=self.dir, env=env)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("copper.toml", r.stderr)

    def test_config_from_environment(self):
        with open(self.path, "w", encoding="utf-8") as f:
            f.write(GOOD.replace("{port}", "1") + "bogus = 1\n")
        env = dict(os.environ, COPPER_CONFIG=self.path)
        r = subprocess.run([self.binary, "serve"], capture_output=True, text=True, timeout=30,
                           cwd=self.dir, env=env)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(f"{self.path}:10:", r.stderr)


if __name__ == "__main__":
    unittest.main()
