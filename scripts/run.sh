#!/usr/bin/env bash
# `make run`: first-run setup (config, demo domain and user), then the server
# in the foreground. Safe to run again: nothing is overwritten.
set -euo pipefail
cd "$(dirname "$0")/.."

copper=build/copper
config=${COPPER_CONFIG:-copper.toml}

if [[ ! -f $config ]]; then
  sed 's/^hostname = "mail.example.org"/hostname = "localhost"/' etc/copper.toml > "$config"
  echo "wrote $config from etc/copper.toml (edit it to taste)"
fi

demo_domain=example.test
demo_user=demo@$demo_domain
demo_password_file=var/demo-password
if [[ -z $("$copper" --config "$config" domain list) ]]; then
  "$copper" --config "$config" domain add "$demo_domain" >/dev/null
  password=$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | head -c 16)
  printf '%s\n' "$password" | "$copper" --config "$config" user add "$demo_user" --admin --password-stdin >/dev/null
  "$copper" --config "$config" alias add "postmaster@$demo_domain" "$demo_user" >/dev/null
  umask 077
  printf '%s\n' "$password" > "$demo_password_file"
fi
# Data from before roles existed: the demo user administers the demo server.
"$copper" --config "$config" user role "$demo_user" admin >/dev/null 2>&1 || true
password=$(cat "$demo_password_file" 2>/dev/null || echo "(set with: build/copper user passwd $demo_user)")

# The web URLs from the [listen] http/https entries ("*:port" means any address).
http_urls() {
  local scheme list ep
  for scheme in https http; do
    list=$(awk -v key="$scheme" '/^\[listen\]/{on=1;next} /^\[/{on=0}
      on && $1 == key {sub(/#.*/, ""); print}' "$config" | grep -o '"[^"]*"' | tr -d '"' || true)
    for ep in $list; do
      ep=${ep/#\*:/127.0.0.1:}
      if [[ $scheme == https ]]; then
        echo "Web (self-signed certificate): https://$ep/admin/  https://$ep/mail/"
        echo "  health: https://$ep/healthz  metrics: https://$ep/metrics"
      else
        echo "Plain HTTP (redirects to https): http://$ep/"
      fi
    done
  done
}

listeners=$(awk '/^\[listen\]/{on=1;next} /^\[/{on=0} on && /^[a-z]/ {print}' "$config")
cat <<MSG

Copper is starting with $config.
Listeners:
$(printf '%s\n' "$listeners" | sed 's/^/  /')

Demo login: $demo_user  password: $password
Send a test message to the MX listener:
  swaks --server 127.0.0.1:2525 --to $demo_user --from someone@example.net
Send as the demo user through submission (STARTTLS, self-signed certificate):
  swaks --server 127.0.0.1:5587 -tls --auth PLAIN --auth-user $demo_user --auth-password '$password' --to $demo_user --from $demo_user
Read it over IMAP (implicit TLS, self-signed certificate):
  openssl s_client -quiet -connect 127.0.0.1:1993   then: a LOGIN $demo_user $password
Thunderbird: IMAP 127.0.0.1 port 1993 SSL/TLS, SMTP 127.0.0.1 port 5587 STARTTLS,
normal password (accept the self-signed certificate once).
$(http_urls)
Admin portal (/admin/ above): log in as $demo_user (role admin) with the password above;
  its JSON API is /admin/api/, documented in docs/openapi.yaml.
Stop with Ctrl-C.

MSG
exec "$copper" --config "$config" serve
