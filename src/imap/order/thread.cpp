#include "imap/order/thread.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

namespace copper::imap {
namespace {

constexpr std::size_t none = static_cast<std::size_t>(-1);

// The working structure of REFERENCES: containers (RFC 5256 calls them
// messages, dummies included) linked both ways.
struct container {
  std::size_t message = none;  // index into the searched messages, none for a dummy
  std::size_t parent = none;
  std::vector<std::size_t> children;
};

class threader {
 public:
  explicit threader(const std::vector<message_facts>& messages) : msgs_(messages) {}

  thread_tree run() {
    link_all();        // step 1
    gather_roots();    // step 2
    prune_dummies();   // step 3
    sort_children(0);  // step 4
    merge_subjects();  // step 5
    sort_all();        // step 6
    return to_tree();
  }

 private:
  std::size_t make_container(std::size_t message) {
    c_.push_back(container{message, none, {}});
    return c_.size() - 1;
  }

  std::size_t by_id(const std::string& id) {
    auto [it, inserted] = ids_.try_emplace(id, 0);
    if (inserted) {
      it->second = make_container(none);  // a dummy until its message shows up
    }
    return it->second;
  }

  // Whether `a` is `b` or one of its descendants.
  bool within(std::size_t a, std::size_t b) const {
    if (c_[b].children.empty()) {
      return a == b;  // the common case, and keeps a long reply chain linear
    }
    for (std::size_t x = a; x != none; x = c_[x].parent) {
      if (x == b) {
        return true;
      }
    }
    return false;
  }

  void unlink(std::size_t child) {
    std::size_t p = c_[child].parent;
    if (p == none) {
      return;
    }
    auto& siblings = c_[p].children;
    siblings.erase(std::find(siblings.begin(), siblings.end(), child));
    c_[child].parent = none;
  }

  void link(std::size_t parent, std::size_t child) {
    c_[child].parent = parent;
    c_[parent].children.push_back(child);
  }

  void link_all() {
    c_.push_back(container{});  // the root, linked in step 2
    for (std::size_t m = 0; m < msgs_.size(); ++m) {
      const auto& f = msgs_[m];
      // Step 1.A: a missing or duplicate Message-ID gets a unique one,
      // which is simply a container nobody can refer to.
      std::size_t self = none;
      if (!f.message_id.empty()) {
        std::size_t existing = by_id(f.message_id);
        if (c_[existing].message == none) {
          self = existing;
          c_[self].message = m;
        }
      }
      if (self == none) {
        self = make_container(m);
      }
      std::size_t prev = none;
      for (const auto& ref : f.references) {
        std::size_t cur = by_id(ref);
        // Keep existing links (References may be truncated) and never loop.
        if (prev != none && c_[cur].parent == none && !within(prev, cur)) {
          link(prev, cur);
        }
        prev = cur;
      }
      // Step 1.B: the last reference is the parent, replacing any earlier guess.
      if (prev != none && within(prev, self)) {
        continue;  // would loop (or is the message itself): keep what there is
      }
      unlink(self);
      if (prev != none) {
        link(prev, self);
      }
    }
  }

  void gather_roots() {
    for (std::size_t i = 1; i < c_.size(); ++i) {
      if (c_[i].parent == none) {
        link(0, i);
      }
    }
  }

  // Every container under the root, each after all of its descendants.
  std::vector<std::size_t> post_order() const {
    std::vector<std::size_t> pre;
    std::vector<std::size_t> stack = {0};
    while (!stack.empty()) {
      std::size_t x = stack.back();
      stack.pop_back();
      pre.push_back(x);
      for (auto child : c_[x].children) {
        stack.push_back(child);
      }
    }
    std::reverse(pre.begin(), pre.end());
    pre.pop_back();  // the root
    return pre;
  }

  // Step 3: descendants first, so a dummy's children are final when it is
  // looked at.
  void prune_dummies() {
    for (std::size_t x : post_order()) {
      if (c_[x].message != none) {
        continue;
      }
      std::size_t p = c_[x].parent;
      auto kids = c_[x].children;
      if (!kids.empty() && p == 0 && kids.size() > 1) {
        continue;  // promoting would make them children of the root
      }
      auto& siblings = c_[p].children;
      auto at = std::find(siblings.begin(), siblings.end(), x);
      at = siblings.erase(at);
      siblings.insert(at, kids.begin(), kids.end());
      for (auto k : kids) {
        c_[k].parent = p;
      }
      c_[x].children.clear();
      c_[x].parent = none;
    }
  }

  // The message that stands for a container: itself, or a dummy's first child.
  const message_facts* representative(std::size_t x) const {
    if (c_[x].message != none) {
      return &msgs_[c_[x].message];
    }
    if (c_[x].children.empty()) {
      return nullptr;
    }
    std::size_t first = c_[x].children.front();
    return c_[first].message != none ? &msgs_[c_[first].message] : nullptr;
  }

  // RFC 5256 2.2 sent date, ties by mailbox order.
  std::pair<std::int64_t, std::size_t> date_key(std::size_t x) const {
    std::size_t m = c_[x].message;
    if (m == none && !c_[x].children.empty()) {
      m = c_[c_[x].children.front()].message;
    }
    if (m == none) {
      return {0, none};
    }
    return {msgs_[m].sent_date, m};
  }

  void sort_children(std::size_t x) {
    auto& kids = c_[x].children;
    std::stable_sort(kids.begin(), kids.end(),
                     [&](std::size_t a, std::size_t b) { return date_key(a) < date_key(b); });
  }

  // Step 4 sorts a dummy's children before using its first child.
  void sort_top() {
    for (auto x : c_[0].children) {
      if (c_[x].message == none) {
        sort_children(x);
      }
    }
    sort_children(0);
  }

  static std::string subject_key(std::string_view s) {
    std::string k(s);
    for (char& ch : k) {
      if (ch >= 'a' && ch <= 'z') {
        ch = static_cast<char>(ch - 'a' + 'A');  // i;ascii-casemap
      }
    }
    return k;
  }

  bool is_dummy(std::size_t x) const { return c_[x].message == none; }
  bool is_reply(std::size_t x) const {
    return !is_dummy(x) && msgs_[c_[x].message].reply_or_forward;
  }

  void adopt(std::size_t parent, std::size_t child) {
    unlink(child);
    link(parent, child);
  }

  // Step 5: threads whose thread subject is the same are merged.
  void merge_subjects() {
    sort_top();
    std::unordered_map<std::string, std::size_t> table;
    auto thread_subject = [&](std::size_t x) -> std::string {
      const message_facts* r = representative(x);
      return r != nullptr ? subject_key(r->base_subject) : std::string();
    };
    for (auto x : c_[0].children) {  // 5.B
      std::string s = thread_subject(x);
      if (s.empty()) {
        continue;
      }
      auto [it, inserted] = table.try_emplace(s, x);
      if (!inserted && !is_dummy(it->second) &&
          (is_dummy(x) || (is_reply(it->second) && !is_reply(x)))) {
        it->second = x;
      }
    }
    auto top = c_[0].children;  // 5.C changes the root's children as it goes
    for (auto x : top) {
      if (c_[x].parent != 0) {
        continue;  // already merged into another thread
      }
      std::string s = thread_subject(x);
      if (s.empty()) {
        continue;
      }
      std::size_t& t = table.at(s);
      if (t == x) {
        continue;
      }
      if (is_dummy(t) && is_dummy(x)) {
        auto kids = c_[x].children;
        for (auto k : kids) {
          adopt(t, k);
        }
        unlink(x);
      } else if (is_dummy(t) || (is_reply(x) && !is_reply(t))) {
        adopt(t, x);
      } else {
        // A new dummy takes the table message's place among the threads.
        std::size_t d = make_container(none);
        auto& roots = c_[0].children;
        *std::find(roots.begin(), roots.end(), t) = d;
        c_[d].parent = 0;
        c_[t].parent = none;
        link(d, t);
        adopt(d, x);
        t = d;
      }
    }
  }

  // Step 6: every set of siblings by sent date, deepest first.
  void sort_all() {
    for (std::size_t x : post_order()) {
      sort_children(x);
    }
    sort_children(0);
  }

  thread_tree to_tree() const {
    thread_tree t;
    std::vector<std::size_t> index(c_.size(), none);
    std::vector<std::size_t> order = post_order();
    std::reverse(order.begin(), order.end());  // parents before children
    t.nodes.emplace_back();
    index[0] = 0;
    for (auto x : order) {
      index[x] = t.nodes.size();
      thread_tree::node n;
      n.number = is_dummy(x) ? 0 : msgs_[c_[x].message].number;
      t.nodes.push_back(std::move(n));
    }
    for (std::size_t x = 0; x < c_.size(); ++x) {
      if (index[x] == none) {
        continue;
      }
      for (auto k : c_[x].children) {
        t.nodes[index[x]].children.push_back(index[k]);
      }
    }
    return t;
  }

  const std::vector<message_facts>& msgs_;
  std::vector<container> c_;
  std::unordered_map<std::string, std::size_t> ids_;
};

}  // namespace

thread_tree thread_ordered_subject(const std::vector<message_facts>& messages) {
  // By base subject, then sent date, then mailbox order.
  std::vector<std::size_t> order(messages.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    int s = casemap_compare(messages[a].base_subject, messages[b].base_subject);
    return s != 0 ? s < 0 : messages[a].sent_date < messages[b].sent_date;
  });
  // Each run of one subject is a thread: the first message at the top, all
  // others its children. Threads then go by the sent date of their first.
  std::vector<std::pair<std::size_t, std::size_t>> runs;  // [begin, end) in order
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i + 1;
    while (j < order.size() &&
           casemap_compare(messages[order[i]].base_subject, messages[order[j]].base_subject) == 0) {
      ++j;
    }
    runs.emplace_back(i, j);
    i = j;
  }
  std::stable_sort(runs.begin(), runs.end(), [&](const auto& a, const auto& b) {
    const auto& x = messages[order[a.first]];
    const auto& y = messages[order[b.first]];
    return x.sent_date != y.sent_date ? x.sent_date < y.sent_date : order[a.first] < order[b.first];
  });
  thread_tree t;
  t.nodes.emplace_back();
  for (const auto& [begin, end] : runs) {
    std::size_t head = t.nodes.size();
    t.nodes.push_back({messages[order[begin]].number, {}});
    t.nodes[0].children.push_back(head);
    for (std::size_t k = begin + 1; k < end; ++k) {
      t.nodes[head].children.push_back(t.nodes.size());
      t.nodes.push_back({messages[order[k]].number, {}});
    }
  }
  return t;
}

thread_tree thread_references(const std::vector<message_facts>& messages) {
  return threader(messages).run();
}

std::string render_threads(const thread_tree& tree) {
  // RFC 5256 5: a chain of single children is written flat ("3 6"); where a
  // node has several children, each becomes a nested thread-list.
  std::string out;
  struct frame {
    std::size_t node;
    std::size_t next = 0;
  };
  std::vector<frame> stack;
  auto open = [&](std::size_t x) {
    out += '(';
    bool first = true;
    for (;;) {
      const auto& n = tree.nodes[x];
      if (n.number != 0) {
        if (!first) {
          out += ' ';
        }
        out += std::to_string(n.number);
        first = false;
      }
      if (n.children.size() == 1) {
        x = n.children.front();
        continue;
      }
      break;
    }
    if (tree.nodes[x].children.empty()) {
      out += ')';
      return;
    }
    if (!first) {
      out += ' ';
    }
    stack.push_back({x, 0});
  };
  for (auto top : tree.nodes.front().children) {
    open(top);
    while (!stack.empty()) {
      std::size_t node = stack.back().node;
      std::size_t i = stack.back().next;
      if (i < tree.nodes[node].children.size()) {
        ++stack.back().next;
        open(tree.nodes[node].children[i]);
      } else {
        out += ')';
        stack.pop_back();
      }
    }
  }
  return out;
}

}  // namespace copper::imap
