// Writing IMAP strings (RFC 9051 4.3): quoted where the value allows it,
// a literal where it holds CR, LF, NUL or is long, NIL for absent values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace copper::imap {

// Appends `s` as a quoted string or, when it cannot be quoted, a literal.
void append_string(std::string& out, std::string_view s);
// As append_string, or NIL for nullopt.
void append_nstring(std::string& out, const std::optional<std::string_view>& s);
// An astring: an atom when the value is a plain atom, else a string.
void append_astring(std::string& out, std::string_view s);

}  // namespace copper::imap
