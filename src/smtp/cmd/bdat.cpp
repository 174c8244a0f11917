// BDAT (RFC 3030 CHUNKING): exact-length chunks, no dot-stuffing. Every
// error path still reads the chunk, or its bytes would be taken as commands.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "smtp/session.h"

namespace copper::smtp {

asio::awaitable<void> session::cmd_bdat(const command& cmd) {
  std::optional<reply> refusal;
  if (helo_.empty()) {
    refusal = replies::bad_sequence("Send EHLO or HELO first");
  } else if (!in_transaction_) {
    refusal = replies::bad_sequence("Need MAIL command first");
  } else if (envelope_.recipients.empty()) {
    refusal = reply{554, "5.5.1", "No valid recipients"};
  } else if (chunk_failed_) {
    // RFC 3030 2: after a failed chunk the transaction is over until RSET.
    refusal = replies::bad_sequence("Earlier BDAT failed; send RSET");
  }
  if (refusal) {
    if (co_await conn_->read_exact(cmd.chunk_size, nullptr)) {
      send_error(*refusal);
    }
    co_return;
  }

  chunking_ = true;
  std::uint64_t limit = svc_.cfg.smtp.max_message_size;
  // Written so that a chunk size near 2^64 cannot wrap the sum below the limit.
  if (cmd.chunk_size > limit - chunks_.size()) {
    chunk_failed_ = true;
    chunks_.clear();
    chunks_.shrink_to_fit();
    if (co_await conn_->read_exact(cmd.chunk_size, nullptr)) {
      spdlog::info("session={} event=message_refused reason=size", id_);
      send_error(replies::message_too_big());
    }
    co_return;
  }
  if (!co_await conn_->read_exact(cmd.chunk_size, &chunks_)) {
    co_return;
  }
  if (!cmd.last_chunk) {
    send(replies::ok(fmt::format("{} octets received", cmd.chunk_size)));
    co_return;
  }
  std::string message = std::move(chunks_);
  chunks_.clear();
  co_await deliver_message(std::move(message));
}

}  // namespace copper::smtp
