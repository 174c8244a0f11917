// Apple configuration profile (.mobileconfig) that sets up one user's mail
// account on iOS and macOS: a com.apple.mail.managed payload for IMAP and SMTP
// submission, from the listeners really configured (as autoconfig does).
// Unsigned; no I/O.
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"
#include "core/result.h"
#include "http/autoconfig.h"

namespace copper::admin {

// The profile (plist XML) for `address`. Uses the first IMAP and the first
// submission endpoint of `setup` (implicit TLS preferred, as setup lists them);
// an error if either is missing. PayloadUUIDs are derived from the hostname
// and the address, so that downloading again replaces the installed profile.
result<std::string> mobileconfig(const http::client_setup& setup, std::string_view address);

// The same from the configured listeners: imaps, else imap (STARTTLS);
// submissions, else submission (STARTTLS).
result<std::string> mobileconfig(const config::config& cfg, std::string_view address);

// A name-based UUID (RFC 4122 4.3, version 5, SHA-1) of `name` in Copper's
// namespace, in the canonical upper-case form Apple's profiles use.
std::string name_uuid(std::string_view name);

}  // namespace copper::admin
