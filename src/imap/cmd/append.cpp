// APPEND (RFC 9051 6.3.12) with APPENDUID (RFC 4315). OK only after the
// message is durable.
#include <fmt/format.h>

#include <charconv>
#include <ctime>

#include "imap/session.h"

namespace copper::imap {
namespace {

struct date_time {
  std::int64_t unix_seconds = 0;
  std::int32_t zone_minutes = 0;  // east of UTC
};

// RFC 9051 9 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz", day possibly " d".
std::optional<date_time> parse_date_time(std::string_view s) {
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
  auto [ptr, ec] = std::from_chars(end + 1, end + 5, zone);
  // RFC 9051 9 zone: "+"/"-" 4DIGIT, hours and minutes.
  if (ec != std::errc() || ptr != end + 5 || zone % 100 >= 60) {
    return std::nullopt;
  }
  std::int32_t minutes = (zone / 100) * 60 + zone % 100;
  if (end[0] == '-') {
    minutes = -minutes;
  }
  // The wall-clock time in that zone: UTC is that minus the offset.
  return date_time{timegm(&tm) - std::int64_t{minutes} * 60, minutes};
}

// One message of an APPEND: [(flags)] [date-time] literal.
struct parsed_message {
  std::vector<std::string> flags;
  std::int64_t when = 0;
  std::int32_t zone = 0;  // minutes east of UTC, as the client gave it
  const std::string* data = nullptr;
};

// APPEND mailbox 1*([(flags)] [date-time] literal), several messages being
// MULTIAPPEND (RFC 3502 6.3.11). A string is the message when it came as a
// literal or is the last argument, else the date-time.
result<std::vector<parsed_message>> parse_messages(const std::vector<value>& args,
                                                   std::int64_t now) {
  std::vector<parsed_message> out;
  parsed_message next{{}, now, 0, nullptr};
  bool have_flags = false;
  bool have_date = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a.is_list() && !have_flags && !have_date) {
      for (const auto& f : a.items) {
        auto flag = f.is_atom() ? canonical_flag(f.text) : std::nullopt;
        if (!flag) {
          return make_error("Invalid flag in APPEND");
        }
        next.flags.push_back(*flag);
      }
      have_flags = true;
    } else if (a.is_string() && !a.literal && i + 1 < args.size() && !have_date) {
      auto t = parse_date_time(a.text);
      if (!t) {
        return make_error("Invalid date-time in APPEND");
      }
      next.when = t->unix_seconds;
      next.zone = t->zone_minutes;
      have_date = true;
    } else if (a.is_string()) {
      if (a.text.empty()) {
        return make_error("Empty message");
      }
      next.data = &a.text;
      out.push_back(std::move(next));
      next = parsed_message{{}, now, 0, nullptr};
      have_flags = false;
      have_date = false;
    } else {
      return make_error("Syntax: APPEND mailbox [(flags)] [date-time] literal ...");
    }
  }
  if (out.empty() || have_flags || have_date) {
    return make_error("Syntax: APPEND mailbox [(flags)] [date-time] literal ...");
  }
  return out;
}

// RFC 4315 3 uid-set: consecutive UIDs as one range.
std::string uid_set(const std::vector<std::uint32_t>& uids) {
  if (uids.size() == 1) {
    return std::to_string(uids.front());
  }
  return fmt::format("{}:{}", uids.front(), uids.back());
}

}  // namespace

asio::awaitable<void> session::cmd_append(const command& c) {
  if (c.args.size() < 2 || !c.args[0].is_astring()) {
    bad(c, "Syntax: APPEND mailbox [(flags)] [date-time] literal ...");
    co_return;
  }
  auto parsed = parse_messages(c.args, std::time(nullptr));
  if (!parsed) {
    bad(c, parsed.err().message);
    co_return;
  }
  auto dest = co_await find_mailbox(c.args[0].text);
  if (!dest) {
    no(c, "[TRYCREATE] No such mailbox");
    co_return;
  }
  std::vector<store::append_request> messages;
  messages.reserve(parsed->size());
  for (auto& m : *parsed) {
    messages.push_back({*m.data, std::move(m.flags), m.when, m.zone});
  }
  auto id = account();
  auto mailbox = dest->id;
  // All or nothing, in one store transaction (RFC 3502 6.3.11).
  auto r = *co_await blocking([&] { return svc_.mailboxes.append_all(id, mailbox, messages); });
  if (!r) {
    fail(c, r.err());
    co_return;
  }
  co_await sync_selected(false);
  ok(c, fmt::format("[APPENDUID {} {}] APPEND completed", r->uidvalidity, uid_set(r->uids)));
}

}  // namespace copper::imap
