#!/usr/bin/env bash
# Regenerates golden/<set>-<name>.{envelope,bodystructure,body}: what Debian's
# Dovecot (dovecot-imapd, 2.3.19 on Debian 12) answers to
# `FETCH 1 (ENVELOPE BODYSTRUCTURE BODY)` for each message in messages/<set>/.
# Each file holds the exact bytes of one FETCH item's value, literals
# included. The unit tests (golden_test.cpp) compare against these files and
# never need Dovecot; where Copper answers differently on purpose,
# overrides.txt gives the expected value and the RFC section that decides.
#
# Needs: apt-get install dovecot-imapd (no system service is started), python3.
# Usage: tests/unit/mime/make_golden.sh
#
# How: every message is put alone into a fresh maildir and Dovecot's imap
# binary is run on stdin/stdout (PREAUTH) with a private config, so nothing
# outside a temp dir is touched.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
imap=/usr/lib/dovecot/imap
[ -x "$imap" ] || { echo "install dovecot-imapd first" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
# Dovecot refuses to access mail as root: drop to nobody when run as root.
if [ "$(id -u)" = 0 ]; then user=nobody; group=nogroup; else user=$(id -un); group=$(id -gn); fi
cat >"$work/dovecot.conf" <<CONF
protocols = imap
log_path = $work/log
base_dir = $work/run
state_dir = $work/state
mail_location = maildir:$work/Maildir
mail_uid = $user
mail_gid = $group
first_valid_uid = 0
first_valid_gid = 0
ssl = no
passdb {
  driver = static
  args = password=unused
}
userdb {
  driver = static
  args = uid=$user gid=$group home=$work/home
}
CONF
mkdir -p "$work/run" "$work/state"

python3 - "$imap" "$work" "$here/messages" "$here/golden" "$user" "$group" <<'PY'
import os, shutil, subprocess, sys
imap, work, corpus, out, user, group = sys.argv[1:]

def value_end(buf, i):
    """Index just past the IMAP value (list, quoted, literal, atom) at buf[i]."""
    c = buf[i:i + 1]
    if c == b'(':
        i += 1
        while buf[i:i + 1] != b')':
            if buf[i:i + 1] == b' ':
                i += 1
                continue
            i = value_end(buf, i)
        return i + 1
    if c == b'"':
        i += 1
        while buf[i:i + 1] != b'"':
            i += 2 if buf[i:i + 1] == b'\\' else 1
        return i + 1
    if c == b'{':
        close = buf.index(b'}', i)
        n = int(buf[i + 1:close].rstrip(b'+'))
        return close + 3 + n  # "}\r\n" then n octets
    while buf[i:i + 1] not in (b' ', b')', b''):
        i += 1
    return i

os.makedirs(out, exist_ok=True)
count = 0
sets = [(sub, os.path.join(corpus, sub)) for sub in ('malformed', 'thirdparty', 'rfc', 'extra')]
for sub, folder in sets:
    for name in sorted(n for n in os.listdir(folder) if n.endswith('.eml')):
        maildir = os.path.join(work, 'Maildir')
        shutil.rmtree(maildir, ignore_errors=True)
        shutil.rmtree(os.path.join(work, 'home'), ignore_errors=True)
        for d in ('cur', 'new', 'tmp'):
            os.makedirs(os.path.join(maildir, d))
        os.makedirs(os.path.join(work, 'home'))
        shutil.copyfile(os.path.join(folder, name), os.path.join(maildir, 'cur', '1.eml:2,'))
        if os.getuid() == 0:
            subprocess.run(['chown', '-R', f'{user}:{group}', maildir, os.path.join(work, 'home')],
                           check=True)
        script = b'a SELECT INBOX\r\nb FETCH 1 (ENVELOPE BODYSTRUCTURE BODY)\r\nc LOGOUT\r\n'
        res = subprocess.run([imap, '-c', os.path.join(work, 'dovecot.conf')], input=script,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             env={'USER': user, 'PATH': os.environ['PATH']}, check=True)
        buf = res.stdout
        start = buf.index(b'* 1 FETCH (') + len(b'* 1 FETCH (')
        i = start
        items = {}
        while buf[i:i + 1] != b')':
            sp = buf.index(b' ', i)
            key = buf[i:sp].decode()
            end = value_end(buf, sp + 1)
            items[key] = buf[sp + 1:end]
            i = end + 1 if buf[end:end + 1] == b' ' else end
        stem = os.path.join(out, f'{sub}-{os.path.splitext(name)[0]}')
        for key in ('ENVELOPE', 'BODYSTRUCTURE', 'BODY'):
            with open(f'{stem}.{key.lower()}', 'wb') as f:
                f.write(items[key])
        count += 1
print(f'{count} messages written to {out}')
PY
