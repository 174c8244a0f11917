// SMTP replies as typed values with their enhanced status codes (RFC 3463,
// RFC 5321 4.2). Handlers use these constants, never bare numbers.
#pragma once

#include <string>
#include <string_view>

namespace copper::smtp {

struct reply {
  int code = 0;
  std::string_view status;  // enhanced status code, "" where RFC 2034 has none (220/221 greet)
  std::string text;

  // "250 2.1.0 Ok\r\n"; multi-line text (split on '\n') becomes "250-...".
  std::string wire() const;
  bool positive() const { return code >= 200 && code < 400; }
};

namespace replies {
// Positive.
reply ok(std::string text = "Ok");
reply sender_ok();
reply recipient_ok();
reply queued(std::string_view id);
reply reset_ok();
reply noop_ok();
reply closing(std::string_view host);
reply start_data();
reply start_tls();
reply auth_ok();
reply cannot_verify();
reply help();

// Transient failures.
reply shutting_down(std::string_view host);
reply timeout(std::string_view host);
reply too_many_connections();
reply too_many_errors();
reply too_many_recipients();
reply storage_failed();
reply tls_unavailable();
reply auth_rate_limited();
reply temporary_auth_failure();

// Permanent failures.
reply syntax_error(std::string text = "Syntax error, command unrecognised");
reply parameter_error(std::string text);
reply not_implemented(std::string text = "Command not implemented");
reply bad_sequence(std::string text);
reply parameter_not_implemented(std::string text);
reply line_too_long();
reply bare_newline();
reply mailbox_unavailable();
reply relay_denied();
reply routing_denied();
reply sender_not_owned();
reply message_too_big();
reply auth_required();
reply encryption_required();
reply auth_failed();
reply auth_mechanism_unknown();
reply auth_cancelled();
reply utf8_required();
reply bad_address(std::string text);
}  // namespace replies

}  // namespace copper::smtp
