// Flag canonicalisation and STORE (RFC 9051 6.4.6, RFC 7162 3.1.3).
#include "store/sqlite/flags.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "store/sqlite/mailbox_name.h"
#include "store/sqlite/model.h"
#include "store/sqlite/sqlite_store.h"

namespace copper::store::sqlite {
namespace {

// RFC 9051 2.3.2, in the order they are listed there (and returned here).
constexpr std::array<std::string_view, 5> system_flags = {"\\Seen", "\\Answered", "\\Flagged",
                                                          "\\Deleted", "\\Draft"};

// The index of a system flag in system_flags, or system_flags.size().
std::size_t system_rank(std::string_view flag) {
  for (std::size_t i = 0; i < system_flags.size(); ++i) {
    if (iequals_ascii(flag, system_flags[i])) {
      return i;
    }
  }
  return system_flags.size();
}

// ATOM-CHAR (RFC 9051 9): any CHAR except atom-specials.
bool atom_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) {
    return false;
  }
  return std::string_view("(){%*\"\\]").find(c) == std::string_view::npos;
}

bool contains(const std::vector<std::string>& flags, std::string_view flag) {
  return std::any_of(flags.begin(), flags.end(),
                     [&](const std::string& f) { return iequals_ascii(f, flag); });
}

// System flags first in their canonical order, keywords after in the order
// given: a stable order keeps FETCH FLAGS output from shuffling.
void order_flags(std::vector<std::string>& flags) {
  std::stable_sort(flags.begin(), flags.end(), [](const std::string& a, const std::string& b) {
    return system_rank(a) < system_rank(b);
  });
}

error no_such_mailbox() { return make_error("no such mailbox", "NONEXISTENT"); }

}  // namespace

result<std::vector<std::string>> canonical_flags(const std::vector<std::string>& flags) {
  std::vector<std::string> out;
  for (const auto& f : flags) {
    std::string flag;
    if (!f.empty() && f[0] == '\\') {
      std::size_t rank = system_rank(f);
      if (rank == system_flags.size()) {
        if (iequals_ascii(f, "\\Recent")) {
          return make_error("\\Recent cannot be set or cleared", "CANNOT");
        }
        return make_error("unknown system flag " + f, "CANNOT");
      }
      flag = system_flags[rank];
    } else {
      if (f.empty() || f.size() > max_keyword_bytes ||
          !std::all_of(f.begin(), f.end(), atom_char)) {
        return make_error("invalid keyword", "CANNOT");
      }
      flag = f;
    }
    if (!contains(out, flag)) {
      out.push_back(std::move(flag));
    }
  }
  if (out.size() > max_flags_per_message) {
    return make_error("too many flags", "LIMIT");
  }
  order_flags(out);
  return out;
}

std::vector<std::string> apply_flag_operation(const std::vector<std::string>& current,
                                              flag_operation op,
                                              const std::vector<std::string>& given) {
  std::vector<std::string> out;
  switch (op) {
    case flag_operation::replace:
      out = given;
      break;
    case flag_operation::add:
      out = current;
      for (const auto& f : given) {
        if (!contains(out, f)) {
          out.push_back(f);
        }
      }
      order_flags(out);
      break;
    case flag_operation::remove:
      for (const auto& f : current) {
        if (!contains(given, f)) {
          out.push_back(f);
        }
      }
      break;
  }
  return out;
}

bool same_flags(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return a.size() == b.size() &&
         std::all_of(a.begin(), a.end(), [&](const std::string& f) { return contains(b, f); });
}

result<flag_result> sqlite_store::store_flags(mailbox_id mailbox,
                                              const std::vector<std::uint32_t>& uids,
                                              flag_operation op,
                                              const std::vector<std::string>& flags,
                                              std::uint64_t unchangedsince) {
  auto given = canonical_flags(flags);
  if (!given.ok()) {
    return given.err();
  }
  auto wanted = sorted_unique(uids);
  return write<flag_result>(
      [&](database& db, touched_list& touched) -> result<flag_result> {
        auto mb = load_mailbox(db, mailbox);
        if (!mb) {
          return no_such_mailbox();
        }
        flag_result out;
        struct update {
          std::int64_t id;
          std::uint32_t uid;
          std::vector<std::string> flags;
        };
        std::vector<update> updates;
        for (auto& m : load_messages(db, mailbox, wanted)) {
          // RFC 7162 3.1.3: a message changed after UNCHANGEDSINCE is left alone
          // and reported in MODIFIED.
          if (unchangedsince != 0 && m.modseq > unchangedsince) {
            out.modified.push_back(m.uid);
            continue;
          }
          auto current = split_flags(m.flags);
          auto next = apply_flag_operation(current, op, *given);
          // RFC 7162 3.1.11: setting a set flag or clearing a clear one keeps the
          // MODSEQ, so that other clients do not resynchronise for nothing.
          if (same_flags(current, next)) {
            continue;
          }
          if (next.size() > max_flags_per_message) {
            return make_error("too many flags on message UID " + std::to_string(m.uid), "LIMIT");
          }
          updates.push_back({m.id, m.uid, std::move(next)});
        }
        if (!updates.empty()) {
          // One MODSEQ for the whole command (RFC 7162 3.1).
          std::uint64_t modseq = next_modseq(db, *mb);
          auto st = db.prepare("UPDATE messages SET flags = ?, modseq = ? WHERE id = ?");
          out.changed.reserve(updates.size());
          for (auto& u : updates) {
            st.bind(1, join_flags(u.flags))
                .bind(2, static_cast<std::int64_t>(modseq))
                .bind(3, u.id);
            st.run();
            st.reset();
            out.changed.push_back({u.uid, std::move(u.flags), modseq});
          }
          touched.emplace_back(mb->account, mb->id);
        }
        out.highestmodseq = mb->highestmodseq;
        return out;
      },
      durability::relaxed);  // flags are not mail: no fsync before OK (writer.h)
}

}  // namespace copper::store::sqlite
