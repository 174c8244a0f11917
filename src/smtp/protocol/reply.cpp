#include "smtp/protocol/reply.h"

#include <fmt/format.h>

namespace copper::smtp {

std::string reply::wire() const {
  std::string out;
  std::string_view rest = text;
  for (;;) {
    auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    bool last = nl == std::string_view::npos;
    out += fmt::format("{}{}", code, last ? ' ' : '-');
    if (!status.empty()) {
      out += status;
      out += ' ';
    }
    out += line;
    out += "\r\n";
    if (last) {
      break;
    }
    rest.remove_prefix(nl + 1);
  }
  return out;
}

namespace replies {

reply ok(std::string text) { return {250, "2.0.0", std::move(text)}; }
reply sender_ok() { return {250, "2.1.0", "Sender ok"}; }
reply recipient_ok() { return {250, "2.1.5", "Recipient ok"}; }
reply queued(std::string_view id) { return {250, "2.0.0", fmt::format("Ok: queued as {}", id)}; }
reply reset_ok() { return {250, "2.0.0", "Reset ok"}; }
reply noop_ok() { return {250, "2.0.0", "Ok"}; }
reply closing(std::string_view host) { return {221, "2.0.0", fmt::format("{} Bye", host)}; }
reply start_data() { return {354, "", "End data with <CR><LF>.<CR><LF>"}; }
reply start_tls() { return {220, "2.0.0", "Ready to start TLS"}; }
reply auth_ok() { return {235, "2.7.0", "Authentication successful"}; }
// RFC 5321 3.5.3: 252 when the server will not verify but will accept.
reply cannot_verify() { return {252, "2.5.0", "Cannot VRFY user, but will accept message"}; }
reply help() { return {214, "2.0.0", "See RFC 5321; https://copper.invalid/help"}; }

reply shutting_down(std::string_view host) {
  return {421, "4.3.2", fmt::format("{} Service shutting down", host)};
}
reply timeout(std::string_view host) {
  return {421, "4.4.2", fmt::format("{} Timeout, closing connection", host)};
}
reply too_many_connections() { return {421, "4.7.0", "Too many connections, try again later"}; }
reply too_many_errors() { return {421, "4.7.0", "Too many errors, closing connection"}; }
// RFC 5321 4.5.3.1.10: 452 for too many recipients, the client retries the rest.
reply too_many_recipients() { return {452, "4.5.3", "Too many recipients"}; }
reply storage_failed() { return {451, "4.3.0", "Local error in processing, try again later"}; }
reply tls_unavailable() { return {454, "4.7.0", "TLS not available"}; }
reply auth_rate_limited() {
  return {454, "4.7.0", "Too many failed authentications, try again later"};
}
reply temporary_auth_failure() { return {454, "4.7.0", "Temporary authentication failure"}; }

reply syntax_error(std::string text) { return {500, "5.5.2", std::move(text)}; }
reply parameter_error(std::string text) { return {501, "5.5.4", std::move(text)}; }
reply not_implemented(std::string text) { return {502, "5.5.1", std::move(text)}; }
reply bad_sequence(std::string text) { return {503, "5.5.1", std::move(text)}; }
reply parameter_not_implemented(std::string text) { return {555, "5.5.4", std::move(text)}; }
reply line_too_long() { return {500, "5.5.2", "Line too long (RFC 5321 4.5.3.1)"}; }
reply bare_newline() {
  return {554, "5.5.2", "Bare <CR> or <LF> received; lines must end with <CR><LF>"};
}
reply mailbox_unavailable() { return {550, "5.1.1", "Mailbox unavailable: no such user"}; }
reply relay_denied() { return {554, "5.7.1", "Relay access denied"}; }
reply routing_denied() {
  return {554, "5.7.1", "Sender-specified routing (%, !, quoted @) is not allowed"};
}
reply sender_not_owned() {
  return {553, "5.7.1", "Sender address not owned by the authenticated user"};
}
reply message_too_big() { return {552, "5.3.4", "Message size exceeds fixed limit"}; }
reply auth_required() { return {530, "5.7.0", "Authentication required"}; }
reply encryption_required() {
  return {538, "5.7.11", "Encryption required for requested authentication mechanism"};
}
reply auth_failed() { return {535, "5.7.8", "Authentication credentials invalid"}; }
reply auth_mechanism_unknown() { return {504, "5.5.4", "Unrecognized authentication type"}; }
reply auth_cancelled() { return {501, "5.0.0", "Authentication cancelled"}; }
// RFC 6531 3.7.4.1.
reply utf8_required() { return {553, "5.6.7", "Non-ASCII address requires SMTPUTF8"}; }
reply bad_address(std::string text) { return {553, "5.1.3", std::move(text)}; }

}  // namespace replies
}  // namespace copper::smtp
