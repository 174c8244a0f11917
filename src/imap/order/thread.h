// THREAD (RFC 5256 3): ORDEREDSUBJECT and REFERENCES over the header facts
// of the searched messages, and the thread-data reply syntax of section 5.
// Pure; iterative throughout, so a long reply chain cannot exhaust the stack.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "imap/order/facts.h"

namespace copper::imap {

// A thread tree: node 0 is the root; a node with number 0 other than the
// root is a dummy (a parent that is not among the searched messages).
struct thread_tree {
  struct node {
    std::uint32_t number = 0;
    std::vector<std::size_t> children;
  };
  std::vector<node> nodes;  // nodes[0] is the root
};

// `messages` in mailbox order.
thread_tree thread_ordered_subject(const std::vector<message_facts>& messages);
thread_tree thread_references(const std::vector<message_facts>& messages);

// "(2)(3 6 (4 23)(44 7 96))": the threads of `tree`, without "THREAD ".
std::string render_threads(const thread_tree& tree);

}  // namespace copper::imap
