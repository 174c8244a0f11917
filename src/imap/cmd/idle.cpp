// IDLE (RFC 2177, RFC 9051 6.3.13): wait for "DONE" while pushing mailbox
// changes as they happen. A change committed by any session or delivery
// reaches us through the store's change bus, which interrupts the pending
// read so the updates go out at once.
#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <cctype>
#include <string_view>

#include "imap/session.h"

namespace copper::imap {
namespace {

constexpr std::size_t max_idle_line = 1024;

// RFC 9051 9: idle = "IDLE" CRLF "DONE", and ABNF strings match in any case.
bool is_done(std::string_view line) {
  constexpr std::string_view done = "DONE";
  return line.size() == done.size() &&
         std::equal(line.begin(), line.end(), done.begin(), [](char a, char b) {
           return std::toupper(static_cast<unsigned char>(a)) == b;
         });
}

}  // namespace

asio::awaitable<void> session::cmd_idle(const command& c) {
  if (!c.args.empty()) {
    bad(c, "Syntax: IDLE");
    co_return;
  }
  // Shared between this coroutine and the bus callback on the writer thread.
  auto pending = std::make_shared<std::atomic<bool>>(false);
  // Interrupts are sticky (net/connection.h): one posted by a change that
  // lands after IDLE has ended must not cut the next command's read short.
  // `active` is only touched on this connection's strand.
  auto active = std::make_shared<bool>(true);
  struct end_of_idle {
    std::shared_ptr<bool> active;
    net::connection& conn;
    ~end_of_idle() {
      *active = false;
      conn.take_interrupt();
    }
  } ending{active, *conn_};
  std::weak_ptr<net::connection> weak = conn_;
  auto ex = conn_->stream().socket().get_executor();
  store::mailbox_id watched = selected_ ? selected_->info().id : 0;
  auto subscription = svc_.mailboxes.changes().subscribe(
      account(), [pending, active, weak, ex, watched,
                  selected_changed = selected_changed_](store::mailbox_id changed) {
        if (watched == 0 || changed != watched) {
          return;
        }
        // Before the wake-up: sync_selected must not find its flag clear
        // because the session's own watch has not been called yet.
        selected_changed->store(true);
        pending->store(true);
        asio::post(ex, [weak, active] {
          if (auto conn = weak.lock(); conn && *active) {
            conn->interrupt();
          }
        });
      });

  conn_->write("+ idling\r\n");
  co_await sync_selected(true);
  for (;;) {
    auto& in = conn_->input();
    auto eol = in.find("\r\n");
    if (eol != std::string::npos) {
      std::string line = in.substr(0, eol);
      in.erase(0, eol + 2);
      if (is_done(line)) {
        break;
      }
      // RFC 9051 6.3.13: anything else breaks IDLE's syntax, a tagged BAD
      // that ends the command; the line is not run as a command.
      bad(c, "Expected DONE");
      co_return;
    }
    if (in.size() > max_idle_line) {
      // No line end in sight: the rest of the line would be taken for a
      // command, so there is no way back in step with the client.
      bad(c, "Expected DONE");
      untagged("BYE Expected DONE");
      logout_ = true;
      co_return;
    }
    if (pending->exchange(false)) {
      co_await sync_selected(true);
    }
    if (!co_await conn_->fill_between_commands()) {
      if (conn_->take_interrupt()) {
        continue;
      }
      co_return;  // closed, timed out or draining: the command loop says BYE
    }
  }
  co_await sync_selected(true);
  ok(c, "IDLE terminated");
}

}  // namespace copper::imap
