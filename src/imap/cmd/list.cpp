// LIST and LSUB (RFC 9051 6.3.9, RFC 3501 6.3.9) with "/" as the hierarchy
// separator, CHILDREN (RFC 3348) and SPECIAL-USE (RFC 6154) attributes, and
// the extended LIST of RFC 5258 with the STATUS return option (RFC 5819).
#include <fmt/format.h>

#include <algorithm>

#include "imap/protocol/response.h"
#include "imap/session.h"
#include "imap/status_items.h"

namespace copper::imap {
namespace {

// RFC 9051 6.3.9: "*" matches anything, "%" anything but the separator.
bool matches(std::string_view pattern, std::string_view name) {
  if (pattern.empty()) {
    return name.empty();
  }
  char p = pattern.front();
  if (p == '*' || p == '%') {
    for (std::size_t i = 0; i <= name.size(); ++i) {
      if (matches(pattern.substr(1), name.substr(i))) {
        return true;
      }
      if (i < name.size() && p == '%' && name[i] == '/') {
        return false;
      }
    }
    return false;
  }
  return !name.empty() && name.front() == p && matches(pattern.substr(1), name.substr(1));
}

bool is_descendant(const std::string& name, const std::string& of) {
  return name.size() > of.size() + 1 && name.compare(0, of.size(), of) == 0 &&
         name[of.size()] == '/';
}

bool has_children(const std::vector<store::mailbox_info>& all, const std::string& name) {
  return std::any_of(all.begin(), all.end(),
                     [&](const store::mailbox_info& m) { return is_descendant(m.name, name); });
}

// Bounds what one LIST asks for (STYLE.md: every count input controls).
constexpr std::size_t max_patterns = 100;

// An extended LIST (RFC 5258 6):
//   LIST [(select-opts)] reference (pattern / (pattern ...)) [RETURN (return-opts)]
struct list_request {
  bool subscribed = false;   // selection SUBSCRIBED
  bool special_use = false;  // selection SPECIAL-USE (RFC 6154 5.1)
  bool recursive = false;    // selection RECURSIVEMATCH
  bool return_subscribed = false;
  const std::vector<value>* status = nullptr;  // RETURN (STATUS (items)), RFC 5819
  std::string reference;
  std::vector<std::string> patterns;
};

result<void> parse_select_options(const value& opts, list_request& req) {
  for (const auto& o : opts.items) {
    if (o.equals("SUBSCRIBED")) {
      req.subscribed = true;
    } else if (o.equals("REMOTE")) {
      // No remote mailboxes here (RFC 5258 3.1): nothing more to list.
    } else if (o.equals("RECURSIVEMATCH")) {
      req.recursive = true;
    } else if (o.equals("SPECIAL-USE")) {
      req.special_use = true;
    } else {
      // RFC 5258 3: unknown options are a BAD.
      return make_error("Unknown LIST selection option " + o.text);
    }
  }
  // RFC 5258 3.1: RECURSIVEMATCH needs a base option, and SUBSCRIBED is the
  // only one (SPECIAL-USE is independent, RFC 6154 6).
  if (req.recursive && !req.subscribed) {
    return make_error("RECURSIVEMATCH needs SUBSCRIBED");
  }
  req.return_subscribed = req.subscribed;  // RFC 5258 3.1: implied
  return {};
}

result<void> parse_return_options(const value& opts, list_request& req) {
  const auto& items = opts.items;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& o = items[i];
    if (o.equals("SUBSCRIBED")) {
      req.return_subscribed = true;
    } else if (o.equals("CHILDREN") || o.equals("SPECIAL-USE")) {
      // Always returned: \HasChildren/\HasNoChildren and special uses.
    } else if (o.equals("STATUS") && i + 1 < items.size() && items[i + 1].is_list()) {
      if (auto valid = check_status_items(items[i + 1].items); !valid) {
        return valid;
      }
      req.status = &items[i + 1].items;
      ++i;
    } else {
      return make_error("Unknown LIST return option " + o.text);
    }
  }
  return {};
}

result<list_request> parse_list(const command& c) {
  list_request req;
  const auto& a = c.args;
  std::size_t i = 0;
  if (!a.empty() && a[0].is_list()) {
    if (auto r = parse_select_options(a[0], req); !r) {
      return r.err();
    }
    i = 1;
  }
  if (a.size() < i + 2 || !a[i].is_astring()) {
    return make_error("Syntax: LIST [(options)] reference pattern [RETURN (options)]");
  }
  req.reference = a[i].text;
  const auto& pat = a[i + 1];
  if (pat.is_list()) {
    if (pat.items.empty() || pat.items.size() > max_patterns) {
      return make_error("Between 1 and 100 patterns");
    }
    for (const auto& p : pat.items) {
      if (!p.is_astring()) {
        return make_error("Invalid pattern");
      }
      req.patterns.push_back(p.text);
    }
  } else {
    req.patterns.push_back(pat.text);
  }
  i += 2;
  if (i < a.size()) {
    if (i + 2 != a.size() || !a[i].equals("RETURN") || !a[i + 1].is_list()) {
      return make_error("Syntax: LIST ... RETURN (options)");
    }
    if (auto r = parse_return_options(a[i + 1], req); !r) {
      return r.err();
    }
  }
  return req;
}

// One name of the listing: an existing mailbox, or (with RECURSIVEMATCH) a
// parent name that does not exist but has matching descendants.
struct list_entry {
  std::string name;
  const store::mailbox_info* info = nullptr;  // nullptr: \NonExistent
};

bool pattern_matches(const list_request& req, const std::string& name) {
  for (const auto& p : req.patterns) {
    std::string pattern = req.reference + p;
    // "INBOX" matches case-insensitively (RFC 9051 5.1).
    std::string inbox_pattern = normalize_mailbox_name(pattern.substr(0, 5)) +
                                pattern.substr(std::min<std::size_t>(5, pattern.size()));
    if (matches(pattern, name) || (name == "INBOX" && matches(inbox_pattern, name))) {
      return true;
    }
  }
  return false;
}

// Whether a mailbox meets the selection options (all of them, RFC 5258 3).
bool selected_by(const list_request& req, const store::mailbox_info& m) {
  return (!req.subscribed || m.subscribed) && (!req.special_use || !m.special_use.empty());
}

// Existing mailboxes, and with RECURSIVEMATCH the missing parents of the
// selected ones, INBOX first and then by name as list_mailboxes orders.
std::vector<list_entry> candidates(const list_request& req,
                                   const std::vector<store::mailbox_info>& all) {
  std::vector<list_entry> out;
  for (const auto& m : all) {
    out.push_back({m.name, &m});
  }
  if (!req.recursive) {
    return out;
  }
  for (const auto& m : all) {
    if (!selected_by(req, m)) {
      continue;
    }
    for (auto slash = m.name.find('/'); slash != std::string::npos;
         slash = m.name.find('/', slash + 1)) {
      std::string parent = m.name.substr(0, slash);
      bool known = std::any_of(out.begin(), out.end(),
                               [&](const list_entry& e) { return e.name == parent; });
      if (!known) {
        out.push_back({parent, nullptr});
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const list_entry& x, const list_entry& y) {
    return std::make_pair(x.name != "INBOX", x.name) < std::make_pair(y.name != "INBOX", y.name);
  });
  return out;
}

// RFC 5258 3.5: CHILDINFO when a descendant meets the selection options but
// is not returned itself (redundant CHILDINFO is suppressed).
bool needs_childinfo(const list_request& req, const std::vector<store::mailbox_info>& all,
                     const std::string& name) {
  return req.recursive && std::any_of(all.begin(), all.end(), [&](const store::mailbox_info& m) {
           return is_descendant(m.name, name) && selected_by(req, m) &&
                  !pattern_matches(req, m.name);
         });
}

std::string list_line(const list_request& req, const std::vector<store::mailbox_info>& all,
                      const list_entry& e, bool childinfo) {
  std::string attrs;
  auto add = [&](std::string_view a) {
    if (!attrs.empty()) {
      attrs += ' ';
    }
    attrs += a;
  };
  if (e.info == nullptr) {
    add("\\NonExistent");  // implies \Noselect (RFC 5258 3)
  }
  add(has_children(all, e.name) ? "\\HasChildren" : "\\HasNoChildren");
  if (e.info != nullptr && !e.info->special_use.empty()) {
    add(e.info->special_use);
  }
  if (req.return_subscribed && e.info != nullptr && e.info->subscribed) {
    add("\\Subscribed");
  }
  std::string line = fmt::format("LIST ({}) \"/\" ", attrs);
  append_astring(line, e.name);
  if (childinfo) {
    line += " (\"CHILDINFO\" (\"SUBSCRIBED\"))";
  }
  return line;
}

}  // namespace

asio::awaitable<void> session::cmd_list(const command& c) {
  auto req = parse_list(c);
  if (!req) {
    bad(c, req.err().message);
    co_return;
  }
  if (req->patterns.size() == 1 && req->patterns[0].empty() && !req->subscribed &&
      !req->special_use) {
    // RFC 9051 6.3.9: an empty pattern asks for the separator and root.
    untagged(R"(LIST (\Noselect) "/" "")");
    ok(c, "LIST completed");
    co_return;
  }
  auto id = account();
  auto all = *co_await blocking([&] { return svc_.mailboxes.list_mailboxes(id); });
  for (const auto& e : candidates(*req, all)) {
    if (!pattern_matches(*req, e.name)) {
      continue;
    }
    bool selected = e.info != nullptr && selected_by(*req, *e.info);
    bool childinfo = needs_childinfo(*req, all, e.name);
    if (!selected && !childinfo) {
      continue;
    }
    untagged(list_line(*req, all, e, childinfo));
    // RFC 5819 2: STATUS for the selectable mailboxes that were selected.
    if (req->status != nullptr && selected) {
      untagged(status_response(*req->status, *e.info, svc_.cfg.smtp.max_message_size));
    }
  }
  ok(c, "LIST completed");
}

asio::awaitable<void> session::cmd_lsub(const command& c) {
  if (c.args.size() != 2 || !c.args[0].is_astring() || !c.args[1].is_astring()) {
    bad(c, "Syntax: LSUB reference pattern");
    co_return;
  }
  std::string pattern = c.args[0].text + c.args[1].text;
  auto id = account();
  auto all = *co_await blocking([&] { return svc_.mailboxes.list_mailboxes(id); });
  for (const auto& m : all) {
    if (m.subscribed && matches(pattern, m.name)) {
      std::string line = "LSUB () \"/\" ";
      append_astring(line, m.name);
      untagged(line);
    }
  }
  ok(c, "LSUB completed");
}

}  // namespace copper::imap
