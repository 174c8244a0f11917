#include "imap/session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include "delivery/pipeline.h"

namespace copper::imap {
namespace {

constexpr unsigned any_state = 7;
constexpr unsigned not_auth = static_cast<unsigned>(state::not_authenticated);
constexpr unsigned authed =
    static_cast<unsigned>(state::authenticated) | static_cast<unsigned>(state::selected);
constexpr unsigned selected_only = static_cast<unsigned>(state::selected);
constexpr unsigned authenticated_only = static_cast<unsigned>(state::authenticated);
// RFC 9051 5.4: at least 30 minutes of inactivity before an autologout.
constexpr auto autologout = std::chrono::seconds(30 * 60);
constexpr unsigned max_errors = 20;

using handler = asio::awaitable<void> (session::*)(const command&);

// APPEND carries a whole message in a literal: the same bound as SMTP's.
reader_limits limits_for(const config::config& cfg) {
  reader_limits limits;
  limits.max_literal = cfg.smtp.max_message_size;
  limits.max_command =
      static_cast<std::size_t>(cfg.smtp.max_message_size) + std::size_t{1024} * 1024;
  return limits;
}

}  // namespace

struct command_table {
  struct entry {
    std::string_view name;
    handler fn;
    unsigned states;  // RFC 9051 6.1-6.4: where each command is valid
  };
  static constexpr std::array<entry, 44> entries = {{
      {"CAPABILITY", &session::cmd_capability, any_state},
      {"NOOP", &session::cmd_noop, any_state},
      {"LOGOUT", &session::cmd_logout, any_state},
      {"ID", &session::cmd_id, any_state},
      {"STARTTLS", &session::cmd_starttls, not_auth},
      {"LOGIN", &session::cmd_login, not_auth},
      {"AUTHENTICATE", &session::cmd_authenticate, not_auth},
      {"NAMESPACE", &session::cmd_namespace, authed},
      {"LIST", &session::cmd_list, authed},
      {"LSUB", &session::cmd_lsub, authed},
      {"STATUS", &session::cmd_status, authed},
      {"CREATE", &session::cmd_create, authed},
      {"DELETE", &session::cmd_delete, authed},
      {"RENAME", &session::cmd_rename, authed},
      {"SUBSCRIBE", &session::cmd_subscribe, authed},
      {"UNSUBSCRIBE", &session::cmd_unsubscribe, authed},
      {"SELECT", &session::cmd_select, authed},
      {"EXAMINE", &session::cmd_examine, authed},
      {"APPEND", &session::cmd_append, authed},
      {"IDLE", &session::cmd_idle, authed},
      {"CLOSE", &session::cmd_close, selected_only},
      {"UNSELECT", &session::cmd_unselect, selected_only},
      {"CHECK", &session::cmd_check, selected_only},
      {"EXPUNGE", &session::cmd_expunge, selected_only},
      {"UID EXPUNGE", &session::cmd_uid_expunge, selected_only},
      {"FETCH", &session::cmd_fetch, selected_only},
      {"UID FETCH", &session::cmd_uid_fetch, selected_only},
      {"STORE", &session::cmd_store, selected_only},
      {"UID STORE", &session::cmd_uid_store, selected_only},
      {"COPY", &session::cmd_copy, selected_only},
      {"UID COPY", &session::cmd_uid_copy, selected_only},
      {"MOVE", &session::cmd_move, selected_only},
      {"UID MOVE", &session::cmd_uid_move, selected_only},
      {"SEARCH", &session::cmd_search, selected_only},
      {"UID SEARCH", &session::cmd_uid_search, selected_only},
      {"GETQUOTA", &session::cmd_getquota, authed},
      {"GETQUOTAROOT", &session::cmd_getquotaroot, authed},
      {"SETQUOTA", &session::cmd_setquota, authed},
      // RFC 9051 6.3.1, 6.4: not in the selected state (RFC 5161 3.1).
      {"ENABLE", &session::cmd_enable, authenticated_only},
      {"SORT", &session::cmd_sort, selected_only},
      {"UID SORT", &session::cmd_uid_sort, selected_only},
      {"THREAD", &session::cmd_thread, selected_only},
      {"UID THREAD", &session::cmd_uid_thread, selected_only},
      {"COMPRESS", &session::cmd_compress, authed},
  }};

  static const entry* find(std::string_view name) {
    for (const auto& e : entries) {
      if (e.name == name) {
        return &e;
      }
    }
    return nullptr;
  }
};

std::string normalize_mailbox_name(std::string_view name) {
  if (name.size() == 5) {
    std::string upper(name);
    for (char& c : upper) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (upper == "INBOX") {
      return upper;
    }
  }
  return std::string(name);
}

session::session(std::shared_ptr<net::connection> conn, listener_kind kind, services& svc)
    : kind_(kind),
      svc_(svc),
      conn_(std::move(conn)),
      id_(delivery::make_id().substr(0, 10)),
      reader_(limits_for(svc.cfg)) {}

void session::untagged(std::string_view text) {
  conn_->write("* ");
  conn_->write(text);
  conn_->write("\r\n");
}

void session::ok(const command& c, std::string_view text) {
  conn_->write(fmt::format("{} OK {}\r\n", c.tag, text));
}

void session::no(const command& c, std::string_view text) {
  conn_->write(fmt::format("{} NO {}\r\n", c.tag, text));
}

void session::bad(const command& c, std::string_view text) {
  conn_->write(fmt::format("{} BAD {}\r\n", c.tag, text));
  ++errors_;
}

void session::fail(const command& c, const error& e) {
  if (e.code.empty()) {
    no(c, e.message);
  } else {
    no(c, fmt::format("[{}] {}", e.code, e.message));
  }
}

bool session::login_allowed() const { return access::login_allowed(svc_, *conn_); }

std::string session::capabilities() const {
  // Exactly what works (ARCHITECTURE.md: advertise nothing more).
  std::string caps =
      "IMAP4rev1 LITERAL+ SASL-IR ID IDLE NAMESPACE UNSELECT UIDPLUS MOVE "
      "SPECIAL-USE CHILDREN";
  caps += " QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE STATUS=SIZE";
  caps += fmt::format(" APPENDLIMIT={} MULTIAPPEND", svc_.cfg.smtp.max_message_size);
  caps += " LIST-EXTENDED LIST-STATUS CREATE-SPECIAL-USE";
  caps += " OBJECTID";  // RFC 8474: MAILBOXID, EMAILID, THREADID
  caps += " ENABLE CONDSTORE QRESYNC ESEARCH SEARCHRES";
  // RFC 9051 behaviour is switched on per session by ENABLE IMAP4rev2.
  caps += " IMAP4rev2";
  caps += " SORT THREAD=ORDEREDSUBJECT THREAD=REFERENCES";  // RFC 5256
  caps += " BINARY";                                        // RFC 3516
  if (state_ == state::not_authenticated) {
    if (!conn_->stream().is_tls() && svc_.tls.current()) {
      caps += " STARTTLS";
    }
    caps += login_allowed() ? " AUTH=PLAIN" : " LOGINDISABLED";
  } else {
    caps += " COMPRESS=DEFLATE";  // RFC 4978; valid once authenticated
  }
  return caps;
}

asio::awaitable<std::optional<store::mailbox_info>> session::find_mailbox(std::string_view name) {
  std::string n = normalize_mailbox_name(name);
  auto id = account();
  co_return *co_await blocking([&] { return svc_.mailboxes.find_mailbox(id, n); });
}

void session::watch_mailbox(store::mailbox_id mailbox) {
  selected_watch_.reset();
  // A fresh flag: a callback of the old subscription may still be running.
  selected_changed_ = std::make_shared<std::atomic<bool>>(false);
  selected_watch_ = svc_.mailboxes.changes().subscribe(
      account(), [changed = selected_changed_, mailbox](store::mailbox_id m) {
        if (m == mailbox) {
          changed->store(true);
        }
      });
}

asio::awaitable<void> session::sync_selected(bool allow_expunge) {
  if (!selected_) {
    co_return;
  }
  // Every committed change to the mailbox is published before the writer
  // that made it hears so (sqlite_store::write), so a change a client could
  // know of has set the flag by the time its next command arrives here.
  bool changed = selected_changed_->exchange(false);
  if (!changed && !(allow_expunge && selected_->holds_expunges())) {
    co_return;
  }
  auto mailbox = selected_->info().id;
  auto since = selected_->info().highestmodseq;
  // A primary-key read, and the delta only when something moved (the flag
  // may have been set by a change already reported), in one pool trip.
  auto delta = *co_await blocking([&] {
    std::optional<store::mailbox_changes> out;
    auto now = svc_.mailboxes.highestmodseq(mailbox);
    if (now && *now == since) {
      out.emplace().highestmodseq = since;
    } else if (now && *now > since) {
      out = svc_.mailboxes.changes_since(mailbox, since);
    }
    return out;
  });
  if (delta) {
    conn_->write(selected_->apply_changes(*delta, allow_expunge));
    co_return;
  }
  // The mailbox is gone (or its MODSEQ went back): compare everything.
  auto current = *co_await blocking([&] { return svc_.mailboxes.messages(mailbox); });
  std::uint64_t top = 0;
  for (const auto& m : current) {
    top = std::max(top, m.modseq);
  }
  auto updates = selected_->refresh(std::move(current), top, allow_expunge);
  conn_->write(updates);
}

asio::awaitable<std::vector<store::message_meta>> session::metas_of(
    const std::vector<std::uint32_t>& seqs) {
  std::vector<store::message_meta> out(seqs.size());
  if (seqs.empty()) {
    co_return out;
  }
  std::vector<std::uint32_t> uids;
  uids.reserve(seqs.size());
  for (auto seq : seqs) {
    uids.push_back(selected_->uid_at(seq));
  }
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  auto mailbox = selected_->info().id;
  // The whole mailbox in one scan when a command names all of it.
  bool all = uids.size() == selected_->exists();
  auto found = *co_await blocking([&] {
    return all ? svc_.mailboxes.messages(mailbox) : svc_.mailboxes.messages(mailbox, uids);
  });
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    auto uid = selected_->uid_at(seqs[i]);
    auto it =
        std::lower_bound(found.begin(), found.end(), uid,
                         [](const store::message_meta& m, std::uint32_t u) { return m.uid < u; });
    if (it != found.end() && it->uid == uid) {
      out[i] = *it;
    } else {
      out[i].uid = uid;
    }
  }
  co_return out;
}

void session::enable_condstore() {
  if (enabled_.condstore) {
    return;
  }
  enabled_.condstore = true;
  if (selected_) {
    // RFC 7162 3.1: the first enabling command with a mailbox selected
    // reports HIGHESTMODSEQ.
    selected_->report_modseq(true);
    untagged(fmt::format("OK [HIGHESTMODSEQ {}] Highest", selected_->info().highestmodseq));
  }
}

asio::awaitable<std::optional<std::uint64_t>> session::current_highestmodseq() {
  auto mailbox = selected_->info().id;
  co_return *co_await blocking([&] { return svc_.mailboxes.highestmodseq(mailbox); });
}

result<std::vector<std::uint32_t>> session::resolve_set(const value& v, bool by_uid) const {
  if (!v.is_atom()) {
    return make_error("sequence set expected");
  }
  if (v.text == "$") {
    // RFC 5182 2.1: the saved UIDs, whichever form the command has.
    std::vector<std::uint32_t> seqs;
    for (auto uid : selected_->saved_uids()) {
      if (auto seq = selected_->seq_of_uid(uid)) {
        seqs.push_back(*seq);
      }
    }
    return seqs;
  }
  auto set = sequence_set::parse(v.text);
  if (!set) {
    return set.err();
  }
  if (!by_uid && !selected_->seqs_in_range(*set)) {
    // RFC 9051 9 (seq-number): a tagged BAD.
    return make_error("Invalid message sequence number");
  }
  return selected_->resolve(*set, by_uid);
}

asio::awaitable<void> session::run() {
  spdlog::info("session={} event=connect protocol=imap client={}", id_, conn_->client_ip());
  if (kind_ == listener_kind::imaps) {
    auto ctx = svc_.tls.current();
    if (!ctx || co_await conn_->stream().start_tls(ctx)) {
      spdlog::info("session={} event=tls_failed", id_);
      co_await conn_->finish();
      co_return;
    }
  }
  untagged(
      fmt::format("OK [CAPABILITY {}] {} Copper IMAP ready", capabilities(), svc_.cfg.hostname));

  while (!logout_ && !conn_->closed()) {
    auto step = reader_.feed(conn_->input());
    conn_->input().erase(0, step.consumed);
    using ev = command_reader::event;
    if (step.what == ev::need_more) {
      bool more = reader_.idle() ? co_await conn_->fill_between_commands() : co_await conn_->fill();
      if (!more) {
        if (conn_->timed_out()) {
          untagged("BYE Autologout; idle for too long");
        } else if (conn_->draining()) {
          untagged("BYE Server shutting down");
        }
        break;
      }
      continue;
    }
    if (step.what == ev::continuation) {
      conn_->write("+ Ready for literal data\r\n");
      continue;
    }
    if (step.what == ev::line_too_long) {
      untagged("BAD Command line too long");
      ++errors_;
    } else if (step.what == ev::literal_too_big) {
      if (!reader_.literal_was_synchronizing()) {
        // RFC 7888 4: the octets are already on their way; stop reading.
        untagged("BYE [TOOBIG] Literal too big");
        break;
      }
      conn_->write(fmt::format("{} NO [TOOBIG] Literal too big\r\n", reader_.refused_tag()));
      ++errors_;
    } else {
      std::string text = reader_.take_command();
      auto parsed = parse_command(text);
      if (!parsed) {
        std::string tag = text.substr(0, text.find(' '));
        conn_->write(
            fmt::format("{} BAD {}\r\n", valid_tag(tag) ? tag : "*", parsed.err().message));
        ++errors_;
      } else {
        const auto* entry = command_table::find(parsed->name);
        if (entry == nullptr) {
          bad(*parsed, "Unknown command");
        } else if ((entry->states & static_cast<unsigned>(state_)) == 0) {
          bad(*parsed, state_ == state::not_authenticated ? "Log in first"
                       : state_ == state::selected && entry->states == not_auth
                           ? "Already logged in"
                           : "Not valid in this state");
        } else {
          co_await (this->*entry->fn)(*parsed);
        }
      }
    }
    if (errors_ >= max_errors) {
      untagged("BYE Too many invalid commands");
      break;
    }
    if (conn_->draining() && reader_.idle()) {
      untagged("BYE Server shutting down");
      break;
    }
  }
  spdlog::info("session={} event=disconnect user={}", id_, user_ ? user_->address : "-");
  co_await conn_->finish();
}

asio::awaitable<void> serve_connection(asio::ip::tcp::socket socket, listener_kind kind,
                                       services& svc) {
  auto admitted = net::admit(
      std::move(socket), svc.connections, svc.drain, autologout, "imap",
      kind == listener_kind::imap ? "* BYE Too many connections, try again later\r\n" : "");
  if (!admitted.conn) {
    co_return;
  }
  session s(admitted.conn, kind, svc);
  co_await s.run();
}

}  // namespace copper::imap
