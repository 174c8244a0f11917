// APPEND (RFC 9051 6.3.12) with APPENDUID (RFC 4315). OK only after the
// message is durable.
#include <fmt/format.h>

#include <charconv>
#include <ctime>

#include "imap/session.h"

namespace copper::imap {
namespace {

// RFC 9051 9 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz", day possibly " d".
std::optional<std::int64_t> parse_date_time(std::string_view s) {
  if (s.size() == 25 && s[0] == ' ') {
    s.remove_prefix(1);
  }
  std::tm tm{};
  std::string text(s);
  const char* end = strptime(text.c_str(), "%d-%b-%Y %H:%M:%S", &tm);
  if (end == nullptr || *end != ' ') {
    return std::nullopt;
  }
  ++end;
  if ((end[0] != '+' && end[0] != '-') || std::strlen(end) != 5) {
    return std::nullopt;
  }
  int zone = 0;
  if (std::from_chars(end + 1, end + 5, zone).ec != std::errc()) {
    return std::nullopt;
  }
  int offset = (zone / 100) * 3600 + (zone % 100) * 60;
  std::int64_t t = timegm(&tm);
  return end[0] == '+' ? t - offset : t + offset;
}

}  // namespace

asio::awaitable<void> session::cmd_append(const command& c) {
  // APPEND mailbox [(flags)] [date-time] message-literal
  if (c.args.size() < 2 || c.args.size() > 4 || !c.args[0].is_astring() ||
      !c.args.back().is_string()) {
    bad(c, "Syntax: APPEND mailbox [(flags)] [date-time] literal");
    co_return;
  }
  std::vector<std::string> flags;
  std::int64_t when = std::time(nullptr);
  for (std::size_t i = 1; i + 1 < c.args.size(); ++i) {
    const auto& a = c.args[i];
    if (a.is_list()) {
      for (const auto& f : a.items) {
        auto flag = f.is_atom() ? canonical_flag(f.text) : std::nullopt;
        if (!flag) {
          bad(c, "Invalid flag in APPEND");
          co_return;
        }
        flags.push_back(*flag);
      }
    } else if (a.is_string()) {
      auto t = parse_date_time(a.text);
      if (!t) {
        bad(c, "Invalid date-time in APPEND");
        co_return;
      }
      when = *t;
    } else {
      bad(c, "Syntax: APPEND mailbox [(flags)] [date-time] literal");
      co_return;
    }
  }
  const std::string& data = c.args.back().text;
  if (data.empty()) {
    bad(c, "Empty message");
    co_return;
  }
  auto dest = co_await find_mailbox(c.args[0].text);
  if (!dest) {
    no(c, "[TRYCREATE] No such mailbox");
    co_return;
  }
  auto id = account();
  auto mailbox = dest->id;
  auto r = *co_await blocking([&] {
    return svc_.mailboxes.append(id, mailbox, data, flags, when);
  });
  if (!r) {
    fail(c, r.err());
    co_return;
  }
  co_await sync_selected(false);
  ok(c, fmt::format("[APPENDUID {} {}] APPEND completed", r->uidvalidity, r->uid));
}

}  // namespace copper::imap
