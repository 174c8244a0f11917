"""CONDSTORE/QRESYNC (RFC 7162), ESEARCH (RFC 4731), SEARCHRES (RFC 5182)
and ENABLE IMAP4rev2 (RFC 5161, RFC 9051) against the real server, with
Python's imaplib sending the extension commands (it passes arguments through
unchanged) and reading the untagged responses it collects: two sessions, one
changing flags and expunging while the other is offline, the other
resynchronising with QRESYNC; conditional STORE conflicts; ESEARCH result
forms; SAVE and "$"; and the IMAP4rev2 reply forms."""

import imaplib
import re
import unittest

from harness import (DEFAULT_PASSWORD, HOST, IO_TIMEOUT, CopperServer, CopperTestCase, unique,
                     unverified_context)

USER = "demo@example.test"


def login(server):
    conn = imaplib.IMAP4_SSL(HOST, server.port("imaps"), ssl_context=unverified_context(),
                             timeout=IO_TIMEOUT)
    typ, _ = conn.login(USER, DEFAULT_PASSWORD)
    assert typ == "OK"
    return conn


def run(conn, name, *args):
    """Sends one command; returns (status, tagged text, untagged responses by name)."""
    conn.untagged_responses.clear()
    typ, data = conn._simple_command(name, *args)
    untagged = {k: [d.decode() if isinstance(d, bytes) else d for d in v]
                for k, v in conn.untagged_responses.items()}
    conn.untagged_responses.clear()
    text = data[0].decode() if data and isinstance(data[0], bytes) else str(data)
    return typ, text, untagged


def select(conn, mailbox, params=None):
    args = [mailbox] + ([params] if params else [])
    typ, text, untagged = run(conn, "SELECT", *args)
    assert typ == "OK", (typ, text)
    conn.state = "SELECTED"  # imaplib tracks state only for its own select()
    return untagged


def fetch_lines(untagged):
    """{uid: "FLAGS (...) MODSEQ (n)"-ish text} from untagged FETCH responses."""
    out = {}
    for line in untagged.get("FETCH", []):
        m = re.search(r"UID (\d+)", line)
        assert m, line
        out[int(m.group(1))] = line
    return out


def modseq_of(line):
    return int(re.search(r"MODSEQ \((\d+)\)", line).group(1))


def code(untagged, name):
    return [int(v) for v in untagged.get(name, [])]


class CondstoreTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CopperServer(listeners=("smtp", "imaps"))
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def mailbox_with(self, conn, count):
        """A fresh mailbox holding `count` messages; returns (name, [uids])."""
        name = "sync-" + unique()
        typ, _ = conn.create(name)
        self.assertEqual(typ, "OK")
        uids = []
        for i in range(count):
            typ, data = conn.append(name, None, None,
                                    f"Subject: message {i}\r\n\r\nbody {i}\r\n".encode())
            self.assertEqual(typ, "OK")
            uids.append(int(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1)))
        return name, uids

    def test_capabilities_advertised(self):
        conn = login(self.server)
        typ, data = conn.capability()
        caps = data[0].decode().split()
        for cap in ("IMAP4rev1", "IMAP4rev2", "ENABLE", "CONDSTORE", "QRESYNC", "ESEARCH",
                    "SEARCHRES"):
            self.assertIn(cap, caps)
        conn.logout()

    def test_qresync_resync_after_offline_changes(self):
        # Session A learns the mailbox state, then goes offline.
        a = login(self.server)
        name, uids = self.mailbox_with(a, 6)
        typ, _, untagged = run(a, "ENABLE", "QRESYNC")
        self.assertEqual(typ, "OK")
        self.assertEqual(untagged["ENABLED"], ["QRESYNC"])
        untagged = select(a, name)
        uidvalidity = code(untagged, "UIDVALIDITY")[0]
        known_modseq = code(untagged, "HIGHESTMODSEQ")[0]
        a.logout()

        # Session B changes flags on two messages and expunges two others.
        b = login(self.server)
        select(b, name)
        u = uids
        self.assertEqual(b.uid("STORE", f"{u[1]}", "+FLAGS", r"(\Flagged)")[0], "OK")
        self.assertEqual(b.uid("STORE", f"{u[3]}", "+FLAGS", r"(\Seen $Label)")[0], "OK")
        self.assertEqual(b.uid("STORE", f"{u[0]},{u[2]}", "+FLAGS", r"(\Deleted)")[0], "OK")
        self.assertEqual(b.expunge()[0], "OK")
        b.logout()

        # A comes back and gets exactly what changed.
        a = login(self.server)
        run(a, "ENABLE", "QRESYNC")
        untagged = select(a, name, f"(QRESYNC ({uidvalidity} {known_modseq}))")
        self.assertEqual(untagged.get("VANISHED"), [f"(EARLIER) {u[0]},{u[2]}"])
        fetches = fetch_lines(untagged)
        self.assertEqual(sorted(fetches), [u[1], u[3]])
        self.assertIn(r"\Flagged", fetches[u[1]])
        self.assertIn(r"\Seen", fetches[u[3]])
        self.assertIn("$Label", fetches[u[3]])
        highest = code(untagged, "HIGHESTMODSEQ")[0]
        self.assertGreater(highest, known_modseq)
        for line in fetches.values():
            self.assertGreater(modseq_of(line), known_modseq)
            self.assertLessEqual(modseq_of(line), highest)
        self.assertEqual(code(untagged, "EXISTS"), [4])

        # Known UIDs narrow both reports (RFC 7162 3.2.5.1).
        untagged = select(a, name, f"(QRESYNC ({uidvalidity} {known_modseq} {u[2]}:{u[3]}))")
        self.assertIn("CLOSED", untagged)  # the previous selection was closed
        self.assertEqual(untagged.get("VANISHED"), [f"(EARLIER) {u[2]}"])
        self.assertEqual(sorted(fetch_lines(untagged)), [u[3]])

        # Already up to date: nothing to report.
        untagged = select(a, name, f"(QRESYNC ({uidvalidity} {highest}))")
        self.assertNotIn("VANISHED", untagged)
        self.assertNotIn("FETCH", untagged)

        # A UIDVALIDITY that does not match means the rest is ignored.
        untagged = select(a, name, f"(QRESYNC ({uidvalidity + 1} {known_modseq}))")
        self.assertNotIn("VANISHED", untagged)
        self.assertNotIn("FETCH", untagged)
        a.logout()

    def test_qresync_needs_enable(self):
        conn = login(self.server)
        name, _ = self.mailbox_with(conn, 1)
        with self.assertRaises(imaplib.IMAP4.error):
            run(conn, "SELECT", name, "(QRESYNC (1 1))")
        run(conn, "ENABLE", "QRESYNC")
        with self.assertRaises(imaplib.IMAP4.error):
            run(conn, "SELECT", name, "(QRESYNC (1))")  # syntax is checked first
        conn.logout()

    def test_fetch_changedsince_and_vanished_earlier(self):
        conn = login(self.server)
        name, u = self.mailbox_with(conn, 4)
        run(conn, "ENABLE", "QRESYNC")
        start = code(select(conn, name), "HIGHESTMODSEQ")[0]
        other = login(self.server)
        select(other, name)
        other.uid("STORE", str(u[1]), "+FLAGS", r"(\Answered)")
        other.uid("STORE", str(u[3]), "+FLAGS", r"(\Deleted)")
        other.expunge()
        typ, _, untagged = run(conn, "UID", "FETCH", "1:*", "(FLAGS)",
                               f"(CHANGEDSINCE {start} VANISHED)")
        self.assertEqual(typ, "OK")
        # Reported before the FETCHes; the session's own view may then drop
        # the message with a plain VANISHED, never an EXPUNGE.
        self.assertEqual(untagged["VANISHED"][0], f"(EARLIER) {u[3]}")
        self.assertLessEqual(set(untagged["VANISHED"][1:]), {str(u[3])})
        self.assertNotIn("EXPUNGE", untagged)
        fetches = fetch_lines(untagged)
        self.assertIn(u[1], fetches)
        self.assertIn(r"\Answered", fetches[u[1]])
        self.assertGreater(modseq_of(fetches[u[1]]), start)
        self.assertNotIn(u[0], fetches)
        self.assertNotIn(u[2], fetches)
        # Another session's expunge reaches this one as VANISHED, not EXPUNGE.
        other.uid("STORE", str(u[0]), "+FLAGS", r"(\Deleted)")
        other.expunge()
        other.logout()
        typ, _, untagged = run(conn, "NOOP")
        self.assertEqual(untagged.get("VANISHED"), [str(u[0])])
        self.assertNotIn("EXPUNGE", untagged)
        # Its own EXPUNGE: VANISHED, and the new HIGHESTMODSEQ in the tagged OK.
        run(conn, "UID", "STORE", str(u[2]), "+FLAGS.SILENT", r"(\Deleted)")
        typ, text, untagged = run(conn, "EXPUNGE")
        self.assertEqual(untagged.get("VANISHED"), [str(u[2])])
        self.assertTrue(text.startswith("[HIGHESTMODSEQ "), text)
        typ, data = conn.status(name, "(HIGHESTMODSEQ)")
        self.assertIn(f"HIGHESTMODSEQ {code(untagged, 'HIGHESTMODSEQ')[0]})".encode(), data[0])
        # MOVE too (RFC 6851 4.4).
        typ, text, untagged = run(conn, "UID", "MOVE", str(u[1]), "Trash")
        self.assertEqual(untagged.get("VANISHED"), [str(u[1])])
        self.assertTrue(text.startswith("[HIGHESTMODSEQ "), text)
        # VANISHED needs UID FETCH (RFC 7162 3.2.6).
        with self.assertRaises(imaplib.IMAP4.error):
            run(conn, "FETCH", "1:*", "(FLAGS)", f"(CHANGEDSINCE {start} VANISHED)")
        conn.logout()

    def test_untagged_flag_updates_carry_modseq(self):
        conn = login(self.server)
        name, u = self.mailbox_with(conn, 2)
        select(conn, name, "(CONDSTORE)")
        other = login(self.server)
        select(other, name)
        other.uid("STORE", str(u[0]), "+FLAGS", r"(\Flagged)")
        other.logout()
        typ, _, untagged = run(conn, "NOOP")
        fetches = fetch_lines(untagged)
        self.assertEqual(list(fetches), [u[0]])
        self.assertIn(r"\Flagged", fetches[u[0]])
        modseq_of(fetches[u[0]])  # present
        conn.logout()

    def test_expunge_held_by_fetch_comes_at_the_next_noop(self):
        # The selected view syncs by MODSEQ deltas: an expunge seen during a
        # FETCH (which may not report it, RFC 9051 7.5.1) must still come out
        # at the next NOOP, after the view's MODSEQ has moved past it.
        conn = login(self.server)
        name, u = self.mailbox_with(conn, 3)
        select(conn, name, "(CONDSTORE)")
        other = login(self.server)
        select(other, name)
        self.assertEqual(other.uid("STORE", str(u[0]), "+FLAGS", r"(\Deleted)")[0], "OK")
        self.assertEqual(other.expunge()[0], "OK")
        self.assertEqual(other.uid("STORE", str(u[2]), "+FLAGS", r"(\Flagged)")[0], "OK")
        other.logout()
        typ, _, untagged = run(conn, "FETCH", "1", "(UID)")
        self.assertEqual(typ, "OK")
        self.assertNotIn("EXPUNGE", untagged)
        flagged = [line for line in untagged.get("FETCH", []) if r"\Flagged" in line]
        self.assertEqual(len(flagged), 1, untagged)
        self.assertTrue(flagged[0].startswith("3 "), flagged)  # sequence numbers unchanged
        typ, _, untagged = run(conn, "NOOP")
        self.assertEqual(untagged.get("EXPUNGE"), ["1"])
        self.assertNotIn("FETCH", untagged)  # reported once
        typ, _, untagged = run(conn, "NOOP")
        self.assertNotIn("EXPUNGE", untagged)
        self.assertNotIn("FETCH", untagged)
        conn.logout()

    def test_qresync_holds_flag_updates_with_the_vanished(self):
        conn = login(self.server)
        name, u = self.mailbox_with(conn, 3)
        run(conn, "ENABLE", "QRESYNC")
        select(conn, name)
        other = login(self.server)
        select(other, name)
        self.assertEqual(other.uid("STORE", str(u[1]), "+FLAGS", r"(\Deleted)")[0], "OK")
        self.assertEqual(other.expunge()[0], "OK")
        self.assertEqual(other.uid("STORE", str(u[2]), "+FLAGS", r"(\Seen)")[0], "OK")
        other.append(name, None, None, b"Subject: new\r\n\r\nnew\r\n")
        other.logout()
        typ, _, untagged = run(conn, "FETCH", "1", "(UID)")
        self.assertEqual(typ, "OK")
        self.assertNotIn("VANISHED", untagged)
        self.assertEqual(code(untagged, "EXISTS"), [4])  # the new message, none gone yet
        self.assertEqual(sorted(fetch_lines(untagged)), [u[0]])  # only the one asked for
        typ, _, untagged = run(conn, "NOOP")
        self.assertEqual(untagged.get("VANISHED"), [str(u[1])])
        fetches = fetch_lines(untagged)
        self.assertEqual(list(fetches), [u[2]])
        self.assertIn(r"\Seen", fetches[u[2]])
        modseq_of(fetches[u[2]])
        typ, _, untagged = run(conn, "NOOP")
        self.assertEqual(untagged, {})
        conn.logout()

    def test_unchangedsince_conflict_gives_modified(self):
        conn = login(self.server)
        name, u = self.mailbox_with(conn, 3)
        untagged = select(conn, name, "(CONDSTORE)")
        self.assertTrue(code(untagged, "HIGHESTMODSEQ"))
        # The client's cache: the newest MODSEQ of the two messages it will change.
        typ, _, untagged = run(conn, "UID", "FETCH", f"{u[0]}:{u[1]}", "(MODSEQ)")
        seen_modseq = max(modseq_of(line) for line in fetch_lines(untagged).values())

        other = login(self.server)
        select(other, name)
        other.uid("STORE", str(u[0]), "+FLAGS", "($Other)")
        other.logout()

        typ, text, untagged = run(conn, "UID", "STORE", f"{u[0]}:{u[1]}",
                                  f"(UNCHANGEDSINCE {seen_modseq})", "+FLAGS.SILENT", r"(\Seen)")
        self.assertEqual(typ, "OK")
        self.assertEqual(untagged.get("MODIFIED"), [str(u[0])])
        # .SILENT still reports the new MODSEQ of what did change (RFC 7162 3.1.3).
        fetches = fetch_lines(untagged)
        self.assertIn(u[1], fetches)
        self.assertIn(r"\Seen", fetches[u[1]])
        typ, _, untagged = run(conn, "UID", "FETCH", str(u[0]), "(FLAGS MODSEQ)")
        line = fetch_lines(untagged)[u[0]]
        self.assertNotIn(r"\Seen", line)
        self.assertIn("$Other", line)

        # With the current MODSEQ the same change goes through.
        typ, text, untagged = run(conn, "UID", "STORE", str(u[0]),
                                  f"(UNCHANGEDSINCE {modseq_of(line)})", "+FLAGS", r"(\Seen)")
        self.assertNotIn("MODIFIED", untagged)
        self.assertIn(r"\Seen", fetch_lines(untagged)[u[0]])

        # UNCHANGEDSINCE 0 fails for every existing message; plain STORE
        # reports sequence numbers.
        typ, text, untagged = run(conn, "STORE", "1:3", "(UNCHANGEDSINCE 0)", "+FLAGS",
                                  r"(\Flagged)")
        self.assertEqual(untagged.get("MODIFIED"), ["1:3"])
        self.assertNotIn("FETCH", untagged)
        typ, _, untagged = run(conn, "SEARCH", "FLAGGED")
        self.assertEqual(untagged["SEARCH"], [""])  # "* SEARCH" with no hits
        conn.logout()

    def test_search_and_status_modseq(self):
        conn = login(self.server)
        name, u = self.mailbox_with(conn, 3)
        select(conn, name)
        typ, _, untagged = run(conn, "UID", "FETCH", "1:*", "(MODSEQ)")
        self.assertIn("HIGHESTMODSEQ", untagged)  # the first enabling command
        modseqs = {uid: modseq_of(line) for uid, line in fetch_lines(untagged).items()}
        typ, _, untagged = run(conn, "UID", "STORE", str(u[2]), "+FLAGS", r"(\Flagged)")
        changed = modseq_of(fetch_lines(untagged)[u[2]])
        typ, _, untagged = run(conn, "UID", "SEARCH", "MODSEQ", str(modseqs[u[1]]))
        self.assertEqual(untagged["SEARCH"], [f"{u[1]} {u[2]} (MODSEQ {changed})"])
        typ, _, untagged = run(conn, "UID", "SEARCH", "MODSEQ", str(changed + 1))
        self.assertEqual(untagged["SEARCH"], [""])  # no hits: no MODSEQ either
        typ, _, untagged = run(conn, "SEARCH", "RETURN", "(COUNT MAX)", "MODSEQ",
                               str(modseqs[u[1]]))
        self.assertRegex(untagged["ESEARCH"][0], rf'^\(TAG "\w+"\) MAX 3 COUNT 2 MODSEQ {changed}$')
        conn.close()
        typ, data = conn.status(name, "(HIGHESTMODSEQ MESSAGES)")
        self.assertEqual(typ, "OK")
        self.assertRegex(data[0].decode(), rf"HIGHESTMODSEQ {changed}\b")
        conn.logout()

    def test_esearch_return_forms(self):
        conn = login(self.server)
        name, u = self.mailbox_with(conn, 6)
        select(conn, name)
        conn.uid("STORE", f"{u[0]}:{u[2]},{u[4]}", "+FLAGS", r"(\Flagged)")
        typ, _, untagged = run(conn, "SEARCH", "RETURN", "(MIN MAX COUNT ALL)", "FLAGGED")
        self.assertRegex(untagged["ESEARCH"][0], r'^\(TAG "\w+"\) MIN 1 MAX 5 ALL 1:3,5 COUNT 4$')
        typ, _, untagged = run(conn, "UID", "SEARCH", "RETURN", "(ALL)", "FLAGGED")
        self.assertRegex(untagged["ESEARCH"][0],
                         rf'^\(TAG "\w+"\) UID ALL {u[0]}:{u[2]},{u[4]}$')
        typ, _, untagged = run(conn, "SEARCH", "RETURN", "()", "UNFLAGGED")
        self.assertRegex(untagged["ESEARCH"][0], r'^\(TAG "\w+"\) ALL 4,6$')
        # Nothing matched: only COUNT remains (RFC 4731 3.1).
        typ, _, untagged = run(conn, "SEARCH", "RETURN", "(MIN MAX ALL COUNT)", "DELETED")
        self.assertRegex(untagged["ESEARCH"][0], r'^\(TAG "\w+"\) COUNT 0$')
        self.assertNotIn("SEARCH", untagged)
        with self.assertRaises(imaplib.IMAP4.error):
            run(conn, "SEARCH", "RETURN", "(BOGUS)", "ALL")
        conn.logout()

    def test_searchres_save_and_dollar(self):
        conn = login(self.server)
        name, u = self.mailbox_with(conn, 5)
        select(conn, name)
        conn.uid("STORE", f"{u[1]},{u[3]}", "+FLAGS", r"(\Flagged)")
        typ, _, untagged = run(conn, "UID", "SEARCH", "RETURN", "(SAVE)", "FLAGGED")
        self.assertEqual(typ, "OK")
        self.assertNotIn("ESEARCH", untagged)  # SAVE alone returns nothing (RFC 5182 2.4)
        typ, _, untagged = run(conn, "FETCH", "$", "(UID)")
        self.assertEqual(sorted(fetch_lines(untagged)), [u[1], u[3]])
        typ, _, untagged = run(conn, "UID", "STORE", "$", "+FLAGS", r"(\Answered)")
        self.assertEqual(sorted(fetch_lines(untagged)), [u[1], u[3]])
        typ, _, untagged = run(conn, "SEARCH", "ANSWERED", "$")
        self.assertEqual(untagged["SEARCH"], ["2 4"])
        typ, _, untagged = run(conn, "UID", "SEARCH", "RETURN", "(ALL)", "NOT", "UID", "$")
        self.assertRegex(untagged["ESEARCH"][0], rf"UID ALL {u[0]},{u[2]},{u[4]}$")
        typ, text, untagged = run(conn, "UID", "COPY", "$", "Archive")
        self.assertEqual(typ, "OK")
        self.assertEqual(len(untagged["COPYUID"]), 1)
        self.assertRegex(untagged["COPYUID"][0], rf"^\d+ {u[1]},{u[3]} ")
        # SAVE with MIN keeps only the lowest match.
        run(conn, "SEARCH", "RETURN", "(SAVE MIN)", "FLAGGED")
        typ, _, untagged = run(conn, "UID", "FETCH", "$", "(FLAGS)")
        self.assertEqual(list(fetch_lines(untagged)), [u[1]])
        # A failed SAVE empties "$" (RFC 5182 2.1).
        with self.assertRaises(imaplib.IMAP4.error):
            run(conn, "SEARCH", "RETURN", "(SAVE)", "NOSUCHKEY")
        typ, _, untagged = run(conn, "FETCH", "$", "(UID)")
        self.assertNotIn("FETCH", untagged)
        # Selecting again starts with an empty "$".
        run(conn, "SEARCH", "RETURN", "(SAVE)", "ALL")
        select(conn, name)
        typ, _, untagged = run(conn, "UID", "FETCH", "$", "(UID)")
        self.assertEqual(typ, "OK")
        self.assertNotIn("FETCH", untagged)
        # MOVE $ removes exactly the saved messages.
        run(conn, "UID", "SEARCH", "RETURN", "(SAVE)", "UID", str(u[4]))
        typ, _, untagged = run(conn, "MOVE", "$", "Trash")
        self.assertEqual(typ, "OK")
        self.assertEqual(untagged.get("EXPUNGE"), ["5"])
        conn.logout()

    def test_enable_imap4rev2_switches_reply_forms(self):
        conn = login(self.server)
        name, u = self.mailbox_with(conn, 3)
        other, _ = self.mailbox_with(conn, 1)
        untagged = select(conn, name)
        self.assertIn("RECENT", untagged)  # IMAP4rev1 until enabled
        typ, _, untagged = run(conn, "SEARCH", "ALL")
        self.assertEqual(untagged["SEARCH"], ["1 2 3"])
        conn.close()
        conn.state = "AUTH"
        typ, _, untagged = run(conn, "ENABLE", "IMAP4rev2")
        self.assertEqual(typ, "OK")
        self.assertEqual(untagged["ENABLED"], ["IMAP4rev2"])
        typ, _, untagged = run(conn, "ENABLE", "IMAP4rev2")
        self.assertEqual(untagged["ENABLED"], [""])  # already on: nothing new
        untagged = select(conn, name)
        self.assertNotIn("RECENT", untagged)
        self.assertNotIn("UNSEEN", untagged)
        self.assertEqual(untagged["LIST"], [f'() "/" {name}'])
        typ, _, untagged = run(conn, "SEARCH", "ALL")
        self.assertNotIn("SEARCH", untagged)
        self.assertRegex(untagged["ESEARCH"][0], r'^\(TAG "\w+"\) ALL 1:3$')
        typ, _, untagged = run(conn, "UID", "SEARCH", "DELETED")
        self.assertRegex(untagged["ESEARCH"][0], r'^\(TAG "\w+"\) UID$')
        untagged = select(conn, other)
        self.assertIn("CLOSED", untagged)
        typ, data = conn.status(name, "(MESSAGES DELETED SIZE)")  # RFC 9051 6.3.11
        self.assertRegex(data[0].decode(), r"\(MESSAGES 3 DELETED 0 SIZE \d+\)")
        conn.logout()


if __name__ == "__main__":
    unittest.main()
