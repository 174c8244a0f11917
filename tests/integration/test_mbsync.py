"""mbsync (Debian's isync, a client we did not write) doing two-way syncs
between a local Maildir and Copper over IMAPS: mail delivered over SMTP and
appended over IMAP is pulled with its contents; flags changed on either side
reach the other; messages added to the Maildir are uploaded; deletions on
either side are propagated and expunged; a mailbox created locally is created
on the server; and a sync with nothing to do changes nothing. mbsync runs
with -Dn (protocol trace); MBSYNC_TRACE=FILE appends every run's output."""

import contextlib
import imaplib
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import time
import unittest

from harness import (DEFAULT_PASSWORD, HOST, IO_TIMEOUT, CopperServer, CopperTestCase,
                     unique, unverified_context)

LISTENERS = ("smtp", "imap", "imaps")
SYNC_TIMEOUT = 60


def maildir_flags(name):
    """The flag letters of a Maildir file name ("...:2,FS" -> "FS")."""
    return name.split(":2,", 1)[1] if ":2," in name else ""


def lf(data):
    return data.replace(b"\r\n", b"\n")


TUID = re.compile(rb"^X-TUID: [A-Za-z0-9+/]{12}\r?\n", re.M)


def without_tuid(data):
    """mbsync inserts an X-TUID header into every message it copies, either
    way, to find the copy again should it not learn its UID: not ours."""
    return TUID.sub(b"", data, count=1)


class Maildir:
    """A local Maildir++-style tree as mbsync keeps it (SubFolders Verbatim)."""

    def __init__(self, root):
        self.root = root

    def path(self, mailbox):
        return os.path.join(self.root, *mailbox.split("/"))

    def mailboxes(self):
        out = []
        for dirpath, dirnames, _ in os.walk(self.root):
            if "cur" in dirnames:
                out.append(os.path.relpath(dirpath, self.root).replace(os.sep, "/"))
            dirnames[:] = [d for d in dirnames if d not in ("cur", "new", "tmp")]
        return sorted(out)

    def files(self, mailbox):
        """{path: (flags, bytes)} of every message in cur/ and new/."""
        out = {}
        for sub in ("cur", "new"):
            d = os.path.join(self.path(mailbox), sub)
            for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
                with open(os.path.join(d, name), "rb") as f:
                    out[os.path.join(sub, name)] = (maildir_flags(name), f.read())
        return out

    def find(self, mailbox, marker):
        """(relative path, flags) of the one message containing `marker`."""
        hits = [(p, fl) for p, (fl, data) in self.files(mailbox).items()
                if marker.encode() in data]
        assert len(hits) == 1, f"{marker} in {mailbox}: {hits}"
        return hits[0]

    def set_flags(self, mailbox, marker, flags):
        """Renames the message's file to carry `flags`, as a mail reader would."""
        rel, _ = self.find(mailbox, marker)
        base = os.path.basename(rel).split(":2,", 1)[0]
        src = os.path.join(self.path(mailbox), rel)
        dst = os.path.join(self.path(mailbox), "cur", f"{base}:2,{''.join(sorted(flags))}")
        os.rename(src, dst)

    def mtime(self, mailbox, marker):
        rel, _ = self.find(mailbox, marker)
        return int(os.stat(os.path.join(self.path(mailbox), rel)).st_mtime)

    def remove(self, mailbox, marker):
        rel, _ = self.find(mailbox, marker)
        os.unlink(os.path.join(self.path(mailbox), rel))

    def create(self, mailbox):
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(self.path(mailbox), sub), exist_ok=True)

    def deliver(self, mailbox, name, data, sub="new", flags=None, mtime=None):
        """Writes a message as a mail reader would: tmp/, then rename into place."""
        self.create(mailbox)
        if flags is not None:
            name = f"{name}:2,{flags}"
        tmp = os.path.join(self.path(mailbox), "tmp", name)
        with open(tmp, "wb") as f:
            f.write(data)
        if mtime is not None:
            os.utime(tmp, (mtime, mtime))
        os.rename(tmp, os.path.join(self.path(mailbox), sub, name))


class MbsyncTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        # Not a skip: a missing test dependency must not pass silently.
        if not shutil.which("mbsync"):
            raise AssertionError("mbsync is not installed; run scripts/install-deps.sh --test")
        version = subprocess.run(["mbsync", "--version"], capture_output=True, text=True)
        cls.version = version.stdout.strip()
        cls.server = CopperServer(listeners=LISTENERS)
        cls.server.__enter__()
        # mbsync trusts a "host" certificate in CertificateFile whatever its
        # issuer, name or dates: the server's own self-signed one, as served.
        cls.certdir = tempfile.mkdtemp(prefix="copper-mbsync-cert-")
        cls.certfile = os.path.join(cls.certdir, "server.pem")
        with open(cls.certfile, "w", encoding="ascii") as f:
            f.write(ssl.get_server_certificate((HOST, cls.server.port("imaps"))))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.certdir, ignore_errors=True)
        cls.server.__exit__(None, None, None)

    def setUp(self):
        self.home = tempfile.mkdtemp(prefix="copper-mbsync-")
        self.addCleanup(shutil.rmtree, self.home, True)
        self.user = f"{self._testMethodName.replace('_', '-')}-{os.getpid()}@example.test"
        self.server.add_user(self.user, DEFAULT_PASSWORD)
        self.local = Maildir(os.path.join(self.home, "Mail"))
        os.mkdir(self.local.root)  # mbsync creates mailboxes, not the store's root
        self.rc = os.path.join(self.home, ".mbsyncrc")
        with open(self.rc, "w", encoding="utf-8") as f:
            f.write(f"""IMAPAccount copper
Host {HOST}
Port {self.server.port("imaps")}
User {self.user}
Pass "{DEFAULT_PASSWORD}"
SSLType IMAPS
SystemCertificates no
CertificateFile {self.certfile}
Timeout 30

IMAPStore copper-remote
Account copper

MaildirStore local
Path {self.local.root}/
Inbox {self.local.root}/INBOX
SubFolders Verbatim

Channel copper
Far :copper-remote:
Near :local:
Patterns *
Create Both
Expunge Both
CopyArrivalDate yes
SyncState *
""")
        os.chmod(self.rc, 0o600)

    # ---- helpers ---------------------------------------------------------

    def sync(self):
        """One `mbsync -a`; asserts exit status 0 and returns its output."""
        env = dict(os.environ, HOME=self.home)
        r = subprocess.run(["mbsync", "-c", self.rc, "-a", "-V", "-Dn"], capture_output=True,
                           text=True, timeout=SYNC_TIMEOUT, cwd=self.home, env=env)
        if r.returncode != 0:
            self.fail(f"mbsync ({self.version}) exited with {r.returncode}\n--- stdout ---\n{r.stdout}\n"
                      f"--- stderr ---\n{r.stderr}")
        if os.environ.get("MBSYNC_TRACE"):
            with open(os.environ["MBSYNC_TRACE"], "a", encoding="utf-8") as f:
                f.write(f"===== {self.id()}\n{r.stdout}{r.stderr}")
        return r.stdout + r.stderr

    def imap(self):
        conn = imaplib.IMAP4_SSL(HOST, self.server.port("imaps"),
                                 ssl_context=unverified_context(), timeout=IO_TIMEOUT)
        conn.login(self.user, DEFAULT_PASSWORD)

        def close():
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                conn.logout()
        self.addCleanup(close)
        return conn

    def send_mail(self, marker, body="Hello there.\r\n"):
        msg = (f"From: Sender <sender@remote.example>\r\nTo: {self.user}\r\n"
               f"Subject: smtp {marker}\r\nMessage-ID: <{marker}@remote.example>\r\n\r\n{body}")
        with self.server.smtp() as s:
            s.sendmail("sender@remote.example", [self.user], msg.encode())

    def server_messages(self, conn, mailbox="INBOX"):
        """[(uid, set of flags, raw bytes)] of a server mailbox, by UID."""
        typ, data = conn.select(f'"{mailbox}"', readonly=True)
        self.assertEqual(typ, "OK", data)
        typ, data = conn.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
        self.assertEqual(typ, "OK", data)
        out = []
        for item in data:
            if not isinstance(item, tuple):
                continue
            meta = item[0].decode()
            uid = int(re.search(r"UID (\d+)", meta).group(1))
            flags = set(re.search(r"FLAGS \(([^)]*)\)", meta).group(1).split())
            out.append((uid, flags, item[1]))
        conn.unselect()
        return sorted(out, key=lambda m: m[0])

    def server_find(self, conn, marker, mailbox="INBOX"):
        hits = [m for m in self.server_messages(conn, mailbox) if marker.encode() in m[2]]
        self.assertEqual(len(hits), 1, f"{marker} in server {mailbox}: {len(hits)} copies")
        return hits[0]

    def server_mailboxes(self, conn):
        typ, data = conn.list('""', "*")
        self.assertEqual(typ, "OK", data)
        names = []
        for line in data:
            m = re.match(rb'\(([^)]*)\) (?:"[^"]*"|NIL) (?:"((?:[^"\\]|\\.)*)"|(\S+))$', line)
            self.assertIsNotNone(m, line)
            if b"\\Noselect" not in m.group(1) and b"\\NonExistent" not in m.group(1):
                names.append((m.group(2) or m.group(3)).decode())
        return sorted(names)

    def snapshot(self, conn):
        """Everything a sync could change, on both sides."""
        local = {mb: self.local.files(mb) for mb in self.local.mailboxes()}
        remote = {mb: [(uid, sorted(flags), data) for uid, flags, data
                       in self.server_messages(conn, mb)]
                  for mb in self.server_mailboxes(conn)}
        return local, remote

    def assert_idempotent(self, conn):
        """(7) A sync with nothing to do: exit 0, nothing changes on either side."""
        before = self.snapshot(conn)
        out = self.sync()
        after = self.snapshot(conn)
        # -Dn traces the protocol: no command that changes the server.
        writes = re.findall(r">>> \d+ (?:UID )?(?:STORE|APPEND|CREATE|DELETE|EXPUNGE|MOVE|COPY)"
                            r"\b.*", out)
        self.assertEqual(writes, [], "a sync with nothing to do changed the server")
        self.assertEqual(sorted(before[0]), sorted(after[0]), "local mailboxes changed")
        self.assertEqual(sorted(before[1]), sorted(after[1]), "server mailboxes changed")
        for mb in before[0]:
            self.assertEqual(before[0][mb], after[0][mb], f"local {mb} changed")
        for mb in before[1]:
            self.assertEqual(before[1][mb], after[1][mb], f"server {mb} changed")

    def assert_in_step(self, conn, mailbox):
        """Both sides of a mailbox hold the same messages with the same flags."""
        letters = {"\\Seen": "S", "\\Flagged": "F", "\\Answered": "R", "\\Draft": "D",
                   "\\Deleted": "T", "$Forwarded": "P"}
        remote = sorted((lf(without_tuid(data)),
                         "".join(sorted(letters[f] for f in flags if f in letters)))
                        for _, flags, data in self.server_messages(conn, mailbox))
        local = sorted((without_tuid(data), "".join(sorted(fl)))
                       for fl, data in self.local.files(mailbox).values())
        self.assertEqual(remote, local, f"{mailbox} differs between server and Maildir")

    # ---- tests -----------------------------------------------------------

    def test_pull_then_flags_both_ways(self):
        conn = self.imap()
        m1, m2, m3 = unique("smtp1"), unique("smtp2"), unique("append")
        self.send_mail(m1, body="Line one.\r\n.dot line\r\n")
        self.send_mail(m2)
        typ, _ = conn.append("INBOX", "(\\Flagged)", '"01-Feb-2024 10:00:00 +0100"',
                             f"Subject: appended {m3}\r\n\r\nbody {m3}\r\n".encode())
        self.assertEqual(typ, "OK")

        # (1) Everything on the server is pulled into the Maildir, byte for byte
        # (mbsync stores LF line ends), with the server's flags.
        self.sync()
        self.assertIn("INBOX", self.local.mailboxes())
        for name in ("Drafts", "Sent", "Trash", "Junk", "Archive"):
            self.assertIn(name, self.local.mailboxes())  # Create Both: near side
        files = self.local.files("INBOX")
        self.assertEqual(len(files), 3, list(files))
        remote = self.server_messages(conn)
        self.assertEqual(len(remote), 3)
        self.assertEqual(sorted(lf(data) for _, _, data in remote),
                         sorted(without_tuid(data) for _, data in files.values()))
        path, flags = self.local.find("INBOX", m1)
        self.assertEqual(flags, "")
        self.assertIn(b"\nLine one.\n.dot line\n", files[path][1])
        self.assertEqual(self.local.find("INBOX", m3)[1], "F")
        # CopyArrivalDate: the INTERNALDATE becomes the file's mtime.
        self.assertEqual(self.local.mtime("INBOX", m3), 1706778000)  # 2024-02-01 09:00 UTC
        self.assert_in_step(conn, "INBOX")

        # (2) Flags set locally (the file's info suffix) are pushed.
        self.local.set_flags("INBOX", m1, "S")
        self.local.set_flags("INBOX", m2, "FS")
        self.local.set_flags("INBOX", m3, "")  # \Flagged removed
        self.sync()
        self.assertEqual(self.server_find(conn, m1)[1], {"\\Seen"})
        self.assertEqual(self.server_find(conn, m2)[1], {"\\Seen", "\\Flagged"})
        self.assertEqual(self.server_find(conn, m3)[1], set())

        # (3) Flags set on the server are pulled into the file names; a
        # message delivered since the last sync is pulled too.
        uid1, uid3 = self.server_find(conn, m1)[0], self.server_find(conn, m3)[0]
        conn.select("INBOX")
        self.assertEqual(conn.uid("STORE", str(uid1), "-FLAGS", "(\\Seen)")[0], "OK")
        self.assertEqual(conn.uid("STORE", str(uid3), "+FLAGS", "(\\Answered \\Flagged)")[0],
                         "OK")
        conn.unselect()
        m4 = unique("smtp4")
        self.send_mail(m4)
        self.sync()
        self.assertEqual(self.local.find("INBOX", m1)[1], "")
        self.assertEqual(self.local.find("INBOX", m2)[1], "FS")
        self.assertEqual(self.local.find("INBOX", m3)[1], "FR")
        self.assertEqual(self.local.find("INBOX", m4)[1], "")
        self.assert_in_step(conn, "INBOX")

        # (7) Nothing to do: nothing changes.
        self.assert_idempotent(conn)
        self.assertEqual(len(self.local.files("INBOX")), 4)
        self.assertEqual(len(self.server_messages(conn)), 4)

    def test_local_messages_uploaded(self):
        conn = self.imap()
        self.sync()  # creates the Maildir tree and the sync state
        a, b = unique("local-new"), unique("local-cur")
        body_a = f"From: me@example.test\nSubject: new {a}\n\nwritten locally\n.\n{a}\n".encode()
        body_b = f"From: me@example.test\nSubject: cur {b}\n\nflagged draft {b}\n".encode()
        self.local.deliver("INBOX", f"1700000000.{a}.host", body_a, sub="new")
        self.local.deliver("Drafts", f"1700000001.{b}.host", body_b, sub="cur", flags="DF",
                           mtime=1700000001)  # 2023-11-14 22:13:21 UTC

        # (4) Both are APPENDed, with their flags and CRLF line ends.
        self.sync()
        uid, flags, data = self.server_find(conn, a)
        self.assertEqual(without_tuid(data), body_a.replace(b"\n", b"\r\n"))
        self.assertEqual(flags, set())
        uid, flags, data = self.server_find(conn, b, "Drafts")
        self.assertEqual(without_tuid(data), body_b.replace(b"\n", b"\r\n"))
        self.assertEqual(flags, {"\\Draft", "\\Flagged"})
        # CopyArrivalDate: the file's mtime is APPENDed as the INTERNALDATE.
        conn.select("Drafts", readonly=True)
        typ, data = conn.uid("FETCH", str(uid), "(INTERNALDATE)")
        self.assertEqual(typ, "OK", data)
        self.assertEqual(imaplib.Internaldate2tuple(data[0]),
                         time.localtime(1700000001), data)
        conn.unselect()
        # mbsync learnt the new UIDs (APPENDUID) and renamed the files.
        self.assertRegex(self.local.find("INBOX", a)[0], r",U=\d+")
        self.assertRegex(self.local.find("Drafts", b)[0], r",U=\d+:2,DF$")
        self.assert_in_step(conn, "INBOX")
        self.assert_in_step(conn, "Drafts")
        self.assert_idempotent(conn)

    def test_deletions_both_ways(self):
        conn = self.imap()
        markers = [unique(f"del{i}") for i in range(5)]
        for m in markers:
            self.send_mail(m)
        self.sync()
        self.assertEqual(len(self.local.files("INBOX")), 5)

        # (5) Server side: \Deleted and EXPUNGE; the local file goes. A
        # message only marked \Deleted goes too (mbsync marks the file T,
        # then Expunge Both expunges it on both sides).
        uid0 = self.server_find(conn, markers[0])[0]
        uid4 = self.server_find(conn, markers[4])[0]
        conn.select("INBOX")
        self.assertEqual(conn.uid("STORE", str(uid0), "+FLAGS", "(\\Deleted)")[0], "OK")
        self.assertEqual(conn.expunge()[0], "OK")
        self.assertEqual(conn.uid("STORE", str(uid4), "+FLAGS", "(\\Deleted)")[0], "OK")
        conn.unselect()
        self.sync()
        files = self.local.files("INBOX")
        self.assertEqual(len(files), 3, list(files))
        for gone in (markers[0], markers[4]):
            self.assertFalse(any(gone.encode() in d for _, d in files.values()), gone)
        self.assertEqual(len(self.server_messages(conn)), 3)

        # Local side: one file marked trashed (T), one removed outright; with
        # Expunge Both both are gone from the server after the sync.
        self.local.set_flags("INBOX", markers[1], "ST")
        self.local.remove("INBOX", markers[2])
        self.sync()
        remote = self.server_messages(conn)
        self.assertEqual(len(remote), 1, [(u, f) for u, f, _ in remote])
        self.assertIn(markers[3].encode(), remote[0][2])
        self.assertNotIn("\\Deleted", remote[0][1])
        files = self.local.files("INBOX")
        self.assertEqual(len(files), 1, list(files))
        self.assertIn(markers[3].encode(), next(iter(files.values()))[1])
        self.assert_in_step(conn, "INBOX")
        self.assert_idempotent(conn)

    def test_local_mailbox_created_on_server(self):
        conn = self.imap()
        self.sync()
        m1, m2 = unique("proj"), unique("sub")
        self.local.deliver("Projects", f"1700000002.{m1}.host",
                           f"Subject: {m1}\n\nproject mail\n".encode(), sub="cur", flags="S")
        self.local.deliver("Projects/Copper Plans", f"1700000003.{m2}.host",
                           f"Subject: {m2}\n\nnested mail\n".encode())

        # (6) Create Both: the new folders become server mailboxes, with
        # their messages uploaded.
        self.sync()
        boxes = self.server_mailboxes(conn)
        self.assertIn("Projects", boxes)
        self.assertIn("Projects/Copper Plans", boxes)
        self.assertEqual(self.server_find(conn, m1, "Projects")[1], {"\\Seen"})
        self.assertEqual(self.server_find(conn, m2, "Projects/Copper Plans")[1], set())
        self.assert_in_step(conn, "Projects")
        self.assert_in_step(conn, "Projects/Copper Plans")
        self.assertEqual(sorted(self.local.mailboxes()), boxes)
        self.assert_idempotent(conn)


if __name__ == "__main__":
    unittest.main()
