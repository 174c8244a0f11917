// DATA (RFC 5321 4.1.1.4): 354, then the message up to <CRLF>.<CRLF>, read
// by data_reader; 250 only once the pipeline says the message is durable.
#include <spdlog/spdlog.h>

#include "smtp/protocol/data_reader.h"
#include "smtp/session.h"

namespace copper::smtp {

asio::awaitable<void> session::deliver_message(std::string message) {
  for (const auto& r : envelope_.recipients) {
    if (auto full = co_await check_quota(r.target, message.size(), true)) {
      spdlog::info("session={} event=message_refused reason=quota rcpt={}", id_, r.address.key());
      reset_transaction();
      svc_.counts.quota.inc();
      send_error(*full);
      co_return;
    }
  }
  envelope_.id = delivery::make_id();
  envelope_.session_id = id_;
  envelope_.helo = helo_;
  envelope_.client_ip = conn_->client_ip();
  envelope_.protocol = protocol_keyword();
  envelope_.tls = conn_->stream().tls_description();
  envelope_.auth_user = user_ ? user_->address : "";
  std::string id = envelope_.id;
  auto outcome = co_await svc_.pipeline.deliver(std::move(envelope_), std::move(message));
  reset_transaction();
  switch (outcome.result) {
    case delivery::outcome::kind::stored:
      svc_.counts.received.inc();
      svc_.counts.delivered.inc(outcome.mailboxes);
      send(replies::queued(id));
      break;
    case delivery::outcome::kind::rejected:
      svc_.counts.policy.inc();
      send_error({550, "5.7.1", "Message rejected: " + outcome.reason});
      break;
    case delivery::outcome::kind::deferred:
      svc_.counts.temporary_failure.inc();
      send_error(replies::storage_failed());
      break;
  }
}

asio::awaitable<void> session::cmd_data(const command&) {
  if (!in_transaction_) {
    send_error(replies::bad_sequence("Need MAIL command first"));
    co_return;
  }
  if (chunking_) {
    send_error(replies::bad_sequence("DATA not allowed after BDAT"));
    co_return;
  }
  if (envelope_.recipients.empty()) {
    // RFC 2920 3.1: with pipelining, DATA after only failed RCPTs gets 554.
    send_error({554, "5.5.1", "No valid recipients"});
    co_return;
  }
  send(replies::start_data());
  if (!co_await conn_->flush()) {
    co_return;
  }

  data_reader reader(svc_.cfg.smtp.max_message_size, svc_.cfg.smtp.max_line_length);
  for (;;) {
    std::size_t used = reader.feed(conn_->input());
    conn_->input().erase(0, used);
    if (reader.done()) {
      break;
    }
    if (!co_await conn_->fill()) {
      spdlog::info("session={} event=data_aborted size={}", id_, reader.size());
      quit_ = true;
      co_return;
    }
  }

  if (reader.too_big()) {
    spdlog::info("session={} event=message_refused reason=size size={}", id_, reader.size());
    reset_transaction();
    send_error(replies::message_too_big());
  } else if (reader.bare_newline()) {
    spdlog::info("session={} event=message_refused reason=bare_newline", id_);
    reset_transaction();
    send_error(replies::bare_newline());
  } else if (reader.line_too_long()) {
    spdlog::info("session={} event=message_refused reason=line_length", id_);
    reset_transaction();
    send_error(replies::line_too_long());
  } else {
    co_await deliver_message(reader.take_message());
  }
}

}  // namespace copper::smtp
