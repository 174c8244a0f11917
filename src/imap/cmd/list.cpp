// LIST and LSUB (RFC 9051 6.3.9, RFC 3501 6.3.9) with "/" as the hierarchy
// separator, CHILDREN (RFC 3348) and SPECIAL-USE (RFC 6154) attributes, and
// the extended LIST of RFC 5258 with the STATUS return option (RFC 5819).
#include <fmt/format.h>

#include <algorithm>
#include <map>

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

// One name of the listing: an existing mailbox, a subscribed name whose
// mailbox is gone (RFC 9051 6.3.7), or with RECURSIVEMATCH a parent name
// that does not exist but has selected descendants.
struct list_entry {
  const store::mailbox_info* info = nullptr;  // nullptr: \NonExistent
  bool subscribed = false;
};

// By name in byte order, so that the descendants of "a" are the range
// from "a/" to "a0" ('0' follows '/').
using entry_map = std::map<std::string, list_entry>;

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

// Whether a name meets the selection options (all of them, RFC 5258 3):
// without SUBSCRIBED only existing mailboxes are listed.
bool selected_by(const list_request& req, const list_entry& e) {
  if (req.subscribed ? !e.subscribed : e.info == nullptr) {
    return false;
  }
  return !req.special_use || (e.info != nullptr && !e.info->special_use.empty());
}

template <class F>
bool any_descendant(const entry_map& entries, const std::string& name, F&& f) {
  for (auto it = entries.lower_bound(name + "/"); it != entries.end() && it->first < name + "0";
       ++it) {
    if (f(it->first, it->second)) {
      return true;
    }
  }
  return false;
}

entry_map collect_entries(const list_request& req, const std::vector<store::mailbox_info>& all,
                          const std::vector<std::string>& subscribed) {
  entry_map out;
  for (const auto& m : all) {
    out[m.name] = {&m, m.subscribed};
  }
  for (const auto& name : subscribed) {
    out[name].subscribed = true;  // adds the subscribed names without a mailbox
  }
  if (req.recursive) {
    std::vector<std::string> parents;
    for (const auto& [name, e] : out) {
      if (!selected_by(req, e)) {
        continue;
      }
      for (auto slash = name.find('/'); slash != std::string::npos;
           slash = name.find('/', slash + 1)) {
        parents.push_back(name.substr(0, slash));
      }
    }
    for (auto& p : parents) {
      out.try_emplace(std::move(p));
    }
  }
  return out;
}

// RFC 5258 3.5: CHILDINFO when a descendant meets the selection options but
// is not returned itself (redundant CHILDINFO is suppressed).
bool needs_childinfo(const list_request& req, const entry_map& entries, const std::string& name) {
  return req.recursive &&
         any_descendant(entries, name, [&](const std::string& child, const list_entry& e) {
           return selected_by(req, e) && !pattern_matches(req, child);
         });
}

std::string list_line(const list_request& req, const entry_map& entries, const std::string& name,
                      const list_entry& e, bool childinfo) {
  std::string attrs;
  auto add = [&](std::string_view a) {
    if (!attrs.empty()) {
      attrs += ' ';
    }
    attrs += a;
  };
  bool children = any_descendant(
      entries, name, [](const std::string&, const list_entry& c) { return c.info != nullptr; });
  if (e.info == nullptr) {
    // Implies \Noselect (RFC 5258 3); a name that is not there has no
    // "no children" to report, only existing children (3.5).
    add("\\NonExistent");
    if (children) {
      add("\\HasChildren");
    }
  } else {
    add(children ? "\\HasChildren" : "\\HasNoChildren");
    if (!e.info->special_use.empty()) {
      add(e.info->special_use);
    }
  }
  if (req.return_subscribed && e.subscribed) {
    add("\\Subscribed");
  }
  std::string line = fmt::format("LIST ({}) \"/\" ", attrs);
  append_astring(line, name);
  if (childinfo) {
    line += R"( ("CHILDINFO" ("SUBSCRIBED")))";
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
  std::vector<std::string> subscribed;
  if (req->subscribed) {
    subscribed = *co_await blocking([&] { return svc_.mailboxes.subscriptions(id); });
  }
  auto entries = collect_entries(*req, all, subscribed);
  auto reply = [&](const std::string& name, const list_entry& e) {
    if (!pattern_matches(*req, name)) {
      return;
    }
    bool selected = selected_by(*req, e);
    bool childinfo = needs_childinfo(*req, entries, name);
    if (!selected && !childinfo) {
      return;
    }
    untagged(list_line(*req, entries, name, e, childinfo));
    // RFC 5819 2: STATUS for the selectable mailboxes that were selected.
    if (req->status != nullptr && selected && e.info != nullptr) {
      untagged(status_response(*req->status, *e.info, svc_.cfg.smtp.max_message_size));
    }
  };
  // INBOX first, as list_mailboxes orders it.
  if (auto inbox = entries.find("INBOX"); inbox != entries.end()) {
    reply(inbox->first, inbox->second);
  }
  for (const auto& [name, e] : entries) {
    if (name != "INBOX") {
      reply(name, e);
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
  // Subscribed names whether or not their mailbox still exists (RFC 3501
  // 6.3.9, RFC 9051 6.3.7).
  auto names = *co_await blocking([&] { return svc_.mailboxes.subscriptions(id); });
  for (const auto& name : names) {
    if (matches(pattern, name)) {
      std::string line = "LSUB () \"/\" ";
      append_astring(line, name);
      untagged(line);
    }
  }
  ok(c, "LSUB completed");
}

}  // namespace copper::imap
