// The i;unicode-casemap comparator of RFC 5051 for IMAP SEARCH: Unicode
// case folding with NFKD normalisation (libunistring), applied alike to the
// indexed text and to the search string, so that "STRASSE" finds "straße"
// and "Émile" finds "émile".
#pragma once

#include <string>
#include <string_view>

namespace copper::mime {

// `utf8` case-folded and NFKD-normalised (RFC 5051 2). Invalid UTF-8 is
// replaced by U+FFFD first; should libunistring still refuse, ASCII letters
// are lower-cased and the rest is kept, so that search never fails.
std::string casefold(std::string_view utf8);

// Unicode code points in valid UTF-8 (the FTS5 trigram tokenizer counts these).
std::size_t code_points(std::string_view utf8);

}  // namespace copper::mime
