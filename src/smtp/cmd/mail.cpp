// MAIL FROM (RFC 5321 4.1.1.2) with SIZE (RFC 1870), BODY (RFC 6152),
// SMTPUTF8 (RFC 6531), RET/ENVID (RFC 3461) and AUTH (RFC 4954 5).
#include <spdlog/spdlog.h>

#include <charconv>

#include "smtp/session.h"

namespace copper::smtp {

std::optional<reply> session::check_mail_params(const command& cmd) {
  for (const auto& p : cmd.params) {
    if (p.keyword == "SIZE") {
      std::uint64_t size = 0;
      auto [ptr, ec] = std::from_chars(p.value.data(), p.value.data() + p.value.size(), size);
      // RFC 1870 4: size-value ::= 1*20DIGIT, so a valid value can exceed 64 bits.
      bool too_big_to_parse = ec == std::errc::result_out_of_range && p.value.size() <= 20 &&
                              p.value.find_first_not_of("0123456789") == std::string::npos;
      if (!p.has_value || (ec != std::errc() && !too_big_to_parse) ||
          ptr != p.value.data() + p.value.size()) {
        return replies::parameter_error("Bad SIZE parameter");
      }
      if (too_big_to_parse || size > svc_.cfg.smtp.max_message_size) {
        return replies::message_too_big();  // RFC 1870 6
      }
      declared_size_ = size;  // RCPT checks it against each mailbox's quota
    } else if (p.keyword == "BODY") {
      if (p.value != "7BIT" && p.value != "8BITMIME" && p.value != "7bit" &&
          p.value != "8bitmime") {
        return replies::parameter_not_implemented("Unsupported BODY type");
      }
    } else if (p.keyword == "SMTPUTF8") {
      if (p.has_value) {
        return replies::parameter_error("SMTPUTF8 takes no value");
      }
      smtputf8_ = true;
    } else if (p.keyword == "RET") {
      if (p.value != "FULL" && p.value != "HDRS") {
        return replies::parameter_error("RET must be FULL or HDRS");
      }
      envelope_.ret = p.value;
    } else if (p.keyword == "ENVID") {
      if (!p.has_value || p.value.size() > 100 || !decode_xtext(p.value)) {
        return replies::parameter_error("Bad ENVID parameter");
      }
      envelope_.envid = p.value;
    } else if (p.keyword == "AUTH") {
      // RFC 4954 5: accepted, and not trusted from anyone.
    } else {
      return replies::parameter_not_implemented("Unsupported MAIL parameter " + p.keyword);
    }
  }
  return std::nullopt;
}

asio::awaitable<void> session::cmd_mail(const command& cmd) {
  if (in_transaction_) {
    send_error(replies::bad_sequence("Nested MAIL command"));
    co_return;
  }
  if (kind_ != listener_kind::mx && !user_) {
    send_error(replies::auth_required());
    co_return;
  }
  smtputf8_ = false;
  declared_size_ = 0;
  envelope_ = delivery::envelope{};
  if (auto err = check_mail_params(cmd)) {
    envelope_ = delivery::envelope{};
    send_error(*err);
    co_return;
  }
  std::string from;
  if (!cmd.null_path) {
    auto addr = parse_mailbox(cmd.path, true);
    if (!addr) {
      send_error(replies::bad_address("Bad sender address: " + addr.err().message));
      co_return;
    }
    if (!smtputf8_ && !is_ascii(cmd.path)) {
      send_error(replies::utf8_required());
      co_return;
    }
    if (user_ && !svc_.directory.may_send_as(*user_, *addr)) {
      spdlog::info("session={} event=sender_refused user={} from={}", id_, user_->address,
                   addr->key());
      send_error(replies::sender_not_owned());
      co_return;
    }
    from = addr->wire();
  }
  envelope_.mail_from = from;
  in_transaction_ = true;
  send(replies::sender_ok());
}

}  // namespace copper::smtp
