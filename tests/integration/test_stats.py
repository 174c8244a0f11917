"""The dashboard's hourly statistics kept by Copper itself: mail received,
recipients rejected and failed logins show up in the current hour of
`copper stats` (the sampler adds the last minute when the server stops), and
survive a restart, whose counters start again from zero."""

import re
import smtplib
import time
import unittest

from harness import CopperServer, CopperTestCase, auth_plain, message

ROW = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:00Z)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$")


def rows(output):
    out = []
    for line in output.splitlines()[1:]:
        m = ROW.match(line)
        assert m, f"unexpected line {line!r}"
        out.append({"hour": m.group(1), "received": int(m.group(2)),
                    "delivered": int(m.group(3)), "rejected": int(m.group(4)),
                    "failed_logins": int(m.group(5)), "queue": int(m.group(6))})
    return out


class StatsTest(CopperTestCase):
    def traffic(self, server, received, rejected, failed_logins):
        with server.smtp() as s:
            for i in range(received):
                s.sendmail("sender@remote.example", ["demo@example.test"],
                           message(f"stats {i}", "counted"))
            for _ in range(rejected):
                with self.assertRaises(smtplib.SMTPRecipientsRefused):
                    s.sendmail("sender@remote.example", ["nobody@example.test"],
                               message("no", "such user"))
        with server.raw("submissions") as c:
            c.ehlo()
            for _ in range(failed_logins):
                self.assertReply(c.cmd("AUTH PLAIN " + auth_plain("demo@example.test", "wrong")),
                                 535)

    def current_hour(self, server, hours=3):
        hour_before = time.strftime("%Y-%m-%dT%H:00Z", time.gmtime())
        r = self.server_rows = rows(server.cli("stats", str(hours)).stdout)
        hour_after = time.strftime("%Y-%m-%dT%H:00Z", time.gmtime())
        self.assertEqual(len(r), hours)
        self.assertIn(r[-1]["hour"], (hour_before, hour_after))
        # Tests may straddle an hour boundary: count the last two hours.
        return {k: sum(row[k] for row in r[-2:]) for k in
                ("received", "rejected", "failed_logins", "delivered")}

    def test_traffic_appears_in_the_current_hour(self):
        with CopperServer() as server:
            before = self.current_hour(server)
            self.assertEqual(before["received"], 0)
            self.traffic(server, received=3, rejected=2, failed_logins=1)
            server.terminate()  # the sampler's last sample, at shutdown
            after = self.current_hour(server)
            self.assertEqual(after["received"], 3)
            self.assertEqual(after["rejected"], 2)
            self.assertEqual(after["failed_logins"], 1)
            self.assertEqual(after["delivered"], 0)  # no outbound delivery yet

            # After a restart the in-memory counters start from zero again;
            # the hour keeps what it had and adds the new traffic.
            server.start()
            self.traffic(server, received=2, rejected=0, failed_logins=0)
            server.terminate()
            again = self.current_hour(server)
            self.assertEqual(again["received"], 5)
            self.assertEqual(again["rejected"], 2)

    def test_hours_argument_is_checked(self):
        with CopperServer() as server:
            self.assertEqual(len(rows(server.cli("stats").stdout)), 24)
            self.assertEqual(len(rows(server.cli("stats", "168").stdout)), 168)
            for bad in ("0", "169", "x"):
                r = server.cli("stats", bad, check=False)
                self.assertNotEqual(r.returncode, 0)


if __name__ == "__main__":
    unittest.main()
