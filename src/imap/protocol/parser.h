// The IMAP command parser (RFC 9051 9 "Formal Syntax"): one whole command
// from command_reader in, a tree of atoms, strings and lists out. Grammar
// beyond that (sequence sets, fetch attributes, search keys) belongs to the
// command that reads its arguments. No I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace copper::imap {

struct value {
  enum class kind { atom, string, list };
  kind type = kind::atom;
  std::string text;          // atom or string contents
  std::vector<value> items;  // list members
  bool literal = false;      // the string arrived as a literal
  bool literal8 = false;     // "~{n}" (RFC 3516)

  bool is_atom() const { return type == kind::atom; }
  bool is_string() const { return type == kind::string; }
  bool is_list() const { return type == kind::list; }
  bool is_nil() const;
  // An atom or string: IMAP's astring.
  bool is_astring() const { return type != kind::list; }
  // Case-insensitive comparison for atoms (keywords, NIL, names).
  bool equals(std::string_view upper) const;
};

struct command {
  std::string tag;
  std::string name;  // upper case; "UID FETCH" etc. for the UID forms
  std::vector<value> args;
};

struct parse_limits {
  std::size_t max_depth = 16;  // nested parenthesised lists
  std::size_t max_values = 100000;
};

result<command> parse_command(std::string_view text, const parse_limits& limits = {});

// RFC 9051 4.3: whether a tag is acceptable (astring chars minus "+").
bool valid_tag(std::string_view tag);

}  // namespace copper::imap
