// RETR and TOP (RFC 1939 7): the stored message, byte-stuffed, written in
// pieces so that a large message does not sit in the output buffer twice.
// RETR marks the message read; \Seen is stored at QUIT, as Dovecot does.
#include <fmt/format.h>

#include "pop3/protocol/multiline.h"
#include "pop3/session.h"

namespace copper::pop3 {
namespace {
constexpr std::size_t piece = std::size_t{64} * 1024;
}  // namespace

asio::awaitable<void> session::send_message(std::uint32_t n,
                                            std::optional<std::uint32_t> body_lines) {
  auto blob = drop_->at(n).blob_id;
  auto data = *co_await blocking([&] { return svc_.mailboxes.read_blob(blob); });
  if (!data) {
    // Expunged by another session since login, and its blob is gone.
    err(resp_code::sys_perm, "Message is no longer available");
    co_return;
  }
  ok(body_lines ? std::string("Top of message follows")
                : fmt::format("{} octets", drop_->at(n).size));
  multiline_encoder encoder(*data, body_lines);
  while (!encoder.done()) {
    conn_->write(encoder.next(piece));
    if (!encoder.done() && !co_await conn_->flush()) {
      co_return;
    }
  }
}

asio::awaitable<void> session::cmd_retr(const command& c) {
  if (c.args.size() != 1) {
    bad("Syntax: RETR msg");
    co_return;
  }
  if (auto n = message_arg(c.args[0])) {
    co_await send_message(*n, std::nullopt);
    drop_->mark_read(*n);
  }
}

asio::awaitable<void> session::cmd_top(const command& c) {
  if (c.args.size() != 2) {
    bad("Syntax: TOP msg lines");
    co_return;
  }
  auto lines = parse_number(c.args[1]);
  if (!lines) {
    bad("Invalid number of lines");
    co_return;
  }
  if (auto n = message_arg(c.args[0])) {
    co_await send_message(*n, *lines);
  }
}

}  // namespace copper::pop3
