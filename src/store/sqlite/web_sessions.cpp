// Web sessions of the admin portal (store.h "Web sessions"): rows keyed by
// the SHA-256 of the session token, written through the writer thread.
#include "store/sqlite/sqlite_store.h"

namespace copper::store::sqlite {

result<void> sqlite_store::add_web_session(const web_session& session) {
  return write<void>([&](database& db, touched_list&) -> result<void> {
    db.prepare("DELETE FROM web_sessions WHERE expires <= ?").bind(1, session.created).run();
    db.prepare(
          "INSERT INTO web_sessions(token_sha256, account_id, csrf_token, created, last_seen, "
          "expires) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, session.token_sha256)
        .bind(2, session.account)
        .bind(3, session.csrf_token)
        .bind(4, session.created)
        .bind(5, session.last_seen)
        .bind(6, session.expires)
        .run();
    return {};
  });
}

std::optional<web_session> sqlite_store::find_web_session(std::string_view token_sha256) {
  auto db = readers_.acquire();
  auto st = db->prepare(
      "SELECT s.token_sha256, s.account_id, s.csrf_token, s.created, s.last_seen, s.expires, "
      "a.address FROM web_sessions s JOIN accounts a ON s.account_id = a.id "
      "WHERE s.token_sha256 = ?");
  st.bind(1, token_sha256);
  if (!st.step()) {
    return std::nullopt;
  }
  return web_session{st.text(0),  st.int64(1), st.text(2), st.int64(3),
                     st.int64(4), st.int64(5), st.text(6)};
}

result<void> sqlite_store::touch_web_session(std::string_view token_sha256, std::int64_t now) {
  return write<void>([&](database& db, touched_list&) -> result<void> {
    db.prepare("UPDATE web_sessions SET last_seen = ? WHERE token_sha256 = ?")
        .bind(1, now)
        .bind(2, token_sha256)
        .run();
    return {};
  });
}

result<void> sqlite_store::remove_web_session(std::string_view token_sha256) {
  return write<void>([&](database& db, touched_list&) -> result<void> {
    db.prepare("DELETE FROM web_sessions WHERE token_sha256 = ?").bind(1, token_sha256).run();
    return {};
  });
}

result<void> sqlite_store::remove_web_sessions(account_id account, std::string_view keep) {
  return write<void>([&](database& db, touched_list&) -> result<void> {
    db.prepare("DELETE FROM web_sessions WHERE account_id = ? AND token_sha256 != ?")
        .bind(1, account)
        .bind(2, keep)
        .run();
    return {};
  });
}

}  // namespace copper::store::sqlite
