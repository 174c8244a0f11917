// THREAD (RFC 5256 3): ORDEREDSUBJECT and REFERENCES, the reply syntax.
#include "imap/order/thread.h"

#include <gtest/gtest.h>

namespace copper::imap {
namespace {

message_facts msg(std::uint32_t n, std::string_view subject, std::int64_t date, std::string id = "",
                  std::vector<std::string> refs = {}) {
  message_facts f;
  f.number = n;
  auto b = base_subject(subject);
  f.base_subject = b.text;
  f.reply_or_forward = b.reply_or_forward;
  f.sent_date = date;
  f.message_id = std::move(id);
  f.references = std::move(refs);
  return f;
}

std::string refs(const std::vector<message_facts>& m) {
  return render_threads(thread_references(m));
}

std::string ordered(const std::vector<message_facts>& m) {
  return render_threads(thread_ordered_subject(m));
}

TEST(RenderThreads, TheRfcExample) {
  // * THREAD (2)(3 6 (4 23)(44 7 96)) from RFC 5256 4.
  thread_tree t;
  auto add = [&](std::uint32_t n, std::size_t parent) {
    t.nodes.push_back({n, {}});
    t.nodes[parent].children.push_back(t.nodes.size() - 1);
    return t.nodes.size() - 1;
  };
  t.nodes.emplace_back();
  add(2, 0);
  auto n3 = add(3, 0);
  auto n6 = add(6, n3);
  auto n4 = add(4, n6);
  add(23, n4);
  auto n44 = add(44, n6);
  auto n7 = add(7, n44);
  add(96, n7);
  EXPECT_EQ(render_threads(t), "(2)(3 6 (4 23)(44 7 96))");
  thread_tree d;
  d.nodes.emplace_back();
  auto dummy = d.nodes.size();
  d.nodes.push_back({0, {}});
  d.nodes[0].children.push_back(dummy);
  d.nodes.push_back({3, {}});
  d.nodes.push_back({5, {}});
  d.nodes[dummy].children = {2, 3};
  EXPECT_EQ(render_threads(d), "((3)(5))");
  thread_tree empty;
  empty.nodes.emplace_back();
  EXPECT_EQ(render_threads(empty), "");
}

TEST(OrderedSubject, GroupsBySubjectAndOrdersByFirstDate) {
  std::vector<message_facts> m = {msg(1, "a", 5), msg(2, "b", 1), msg(3, "Re: a", 3),
                                  msg(4, "A", 7), msg(5, "c", 2)};
  EXPECT_EQ(ordered(m), "(2)(5)(3 (1)(4))");
  EXPECT_EQ(ordered({msg(1, "x", 2), msg(2, "re: x", 1)}), "(2 1)");
  EXPECT_EQ(ordered({}), "");
}

TEST(References, ParentsFromReferences) {
  std::vector<message_facts> m = {
      msg(1, "hello", 1, "1@x"),
      msg(2, "Re: hello", 2, "2@x", {"1@x"}),
      msg(3, "Re: hello", 3, "3@x", {"1@x", "2@x"}),
      msg(4, "Re: hello", 4, "4@x", {"1@x"}),
  };
  EXPECT_EQ(refs(m), "(1 (2 3)(4))");
}

TEST(References, ChildrenSortBySentDate) {
  std::vector<message_facts> m = {
      msg(1, "s", 5, "1@x"),
      msg(2, "Re: s", 9, "2@x", {"1@x"}),
      msg(3, "Re: s", 7, "3@x", {"1@x"}),
      msg(4, "other", 1, "4@x"),
  };
  EXPECT_EQ(refs(m), "(4)(1 (3)(2))");
}

TEST(References, MissingParentsBecomeDummies) {
  std::vector<message_facts> m = {
      msg(1, "topic", 1, "a@x", {"missing@x"}),
      msg(2, "Re: topic", 2, "b@x", {"missing@x"}),
      msg(3, "other", 3, "c@x"),
  };
  EXPECT_EQ(refs(m), "((1)(2))(3)");
  // A dummy with one child is replaced by that child.
  EXPECT_EQ(refs({msg(1, "t", 1, "a@x", {"gone@x", "also-gone@x"})}), "(1)");
  // A dummy in the middle of a chain disappears, its child moves up.
  std::vector<message_facts> chain = {
      msg(1, "t", 1, "a@x"),
      msg(2, "Re: t", 2, "c@x", {"a@x", "b-missing@x"}),
  };
  EXPECT_EQ(refs(chain), "(1 2)");
}

TEST(References, InReplyToStyleSingleReference) {
  std::vector<message_facts> m = {msg(1, "q", 1, "1@x"), msg(2, "Re: q", 2, "2@x", {"1@x"})};
  EXPECT_EQ(refs(m), "(1 2)");
}

TEST(References, CyclesAreNotFollowed) {
  std::vector<message_facts> m = {
      msg(1, "", 1, "1@x", {"2@x"}),
      msg(2, "", 2, "2@x", {"1@x"}),
  };
  EXPECT_EQ(refs(m), "(2 1)");
  EXPECT_EQ(refs({msg(1, "", 1, "self@x", {"self@x"})}), "(1)");
  std::vector<message_facts> loop = {
      msg(1, "", 1, "a@x"),
      msg(2, "", 2, "b@x", {"a@x", "b@x", "a@x"}),
  };
  EXPECT_EQ(refs(loop), "(1 2)");
}

TEST(References, DuplicateMessageIdsOnlyCountOnce) {
  std::vector<message_facts> m = {
      msg(1, "s1", 1, "d@x"),
      msg(2, "s2", 2, "d@x"),
      msg(3, "s3", 3, "e@x", {"d@x"}),
  };
  EXPECT_EQ(refs(m), "(1 3)(2)");
}

TEST(References, MissingMessageIdsAreUnique) {
  std::vector<message_facts> m = {msg(1, "s1", 1), msg(2, "s2", 2), msg(3, "s3", 3)};
  EXPECT_EQ(refs(m), "(1)(2)(3)");
}

TEST(References, SubjectMerging) {
  // A reply without references joins the thread of its subject.
  EXPECT_EQ(refs({msg(1, "lunch", 1, "1@x"), msg(2, "Re: lunch", 2, "2@x")}), "(1 2)");
  // Two originals with one subject go under a new dummy.
  EXPECT_EQ(refs({msg(1, "lunch", 1, "1@x"), msg(2, "lunch", 2, "2@x")}), "((1)(2))");
  // A reply first, then the original: the original takes the thread.
  EXPECT_EQ(refs({msg(1, "Re: lunch", 1, "1@x"), msg(2, "lunch", 2, "2@x")}), "(2 1)");
  // A dummy thread absorbs a message of its subject.
  std::vector<message_facts> m = {
      msg(1, "plan", 1, "a@x", {"root@x"}),
      msg(2, "Re: plan", 2, "b@x", {"root@x"}),
      msg(3, "Re: plan", 3, "c@x"),
  };
  EXPECT_EQ(refs(m), "((1)(2)(3))");
  // Empty subjects never merge.
  EXPECT_EQ(refs({msg(1, "", 1, "1@x"), msg(2, "", 2, "2@x")}), "(1)(2)");
}

TEST(References, LongChainsStayIterative) {
  std::vector<message_facts> m;
  std::string expected = "(";
  for (std::uint32_t i = 1; i <= 50000; ++i) {
    std::vector<std::string> r;
    if (i > 1) {
      r.push_back(std::to_string(i - 1) + "@x");
    }
    m.push_back(msg(i, "", i, std::to_string(i) + "@x", r));
    expected += (i > 1 ? " " : "") + std::to_string(i);
  }
  expected += ")";
  EXPECT_EQ(refs(m), expected);
}

}  // namespace
}  // namespace copper::imap
