// Header fields (RFC 5322 2.2) and the MIME header syntax built on them:
// Content-Type and Content-Disposition parameters (RFC 2045 5.1, RFC 2183)
// with RFC 2231 continuations and charsets, Content-Transfer-Encoding
// (RFC 2045 6) and Content-Language (RFC 3282). No allocation beyond the
// values returned; every list is bounded by the caller.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace copper::mime {

// Byte offsets [begin, end) into the raw message.
struct span {
  std::size_t begin = 0;
  std::size_t end = 0;

  std::size_t size() const { return end - begin; }
  std::string_view of(std::string_view raw) const { return raw.substr(begin, end - begin); }
  bool operator==(const span&) const = default;
};

struct field {
  std::string_view name;   // as written, whitespace before the colon removed
  std::string_view value;  // everything after the colon, still folded, without the final line end
};

// The fields of one header block, in order. A line without a colon is not a
// field and is skipped with its continuation lines; a blank line ends the
// block. LF-only line ends are accepted.
class field_reader {
 public:
  explicit field_reader(std::string_view header) : text_(header) {}
  std::optional<field> next();

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// The raw value of the first field called `name` (case-insensitive) in the
// header block `header` of `raw`.
std::optional<std::string_view> find_header(std::string_view raw, span header,
                                            std::string_view name);

// RFC 5322 2.2.3 unfolding: removes the CR and LF of each line break and
// keeps the whitespace that follows; also drops the whitespace before the
// first character, which RFC 5322 3.6 puts between the colon and the value.
std::string unfold(std::string_view value);

// A MIME parameter (RFC 2045 5.1). RFC 2231 sections (name*0, name*1*, ...)
// are joined into one parameter; when indexes are missing they stay separate
// under their written names, as Dovecot keeps them.
struct param {
  std::string name;   // as written, the RFC 2231 "*n" / "*" suffixes removed when joined
  std::string value;  // unquoted; for an extended value, %-decoded and converted to UTF-8
  // An RFC 2231 4 extended value as received: "charset'language'%XX..."
  // with continuations joined. IMAP BODYSTRUCTURE reports it under "name*".
  std::string extended;
  bool is_extended = false;
};

// The first parameter named `name` (case-insensitive), or nullptr.
const param* find_param(const std::vector<param>& params, std::string_view name);

struct media_type {
  std::string type;     // as written
  std::string subtype;  // as written
  std::vector<param> params;
};

// Content-Type (RFC 2045 5.1). nullopt when the value is not
// `type "/" subtype` optionally followed by parameters: RFC 2045 5.2 then
// wants the default type. Malformed parameters are skipped, not fatal.
std::optional<media_type> parse_content_type(std::string_view value, std::size_t max_params);

struct disposition {
  std::string type;  // as written; may be empty ("Content-Disposition: ; filename=x")
  std::vector<param> params;
};

// Content-Disposition (RFC 2183 2). nullopt for a blank value.
std::optional<disposition> parse_disposition(std::string_view value, std::size_t max_params);

// Content-Transfer-Encoding (RFC 2045 6.1): the mechanism token as written,
// or empty when the value is blank or not a single token ("8 bit").
std::string parse_transfer_encoding(std::string_view value);

// Content-Language (RFC 3282 2): the language tags, at most `max_tags`.
std::vector<std::string> parse_languages(std::string_view value, std::size_t max_tags);

// The "<...>" msg-ids of a Message-ID / In-Reply-To / References value (RFC
// 5322 3.6.4), without brackets, normalized as RFC 5256 3 asks (quoting,
// escapes and whitespace removed, so <"a b"@c> equals <ab@c>); ids without
// an "@" or longer than 250 octets are skipped. At most `max_ids`.
std::vector<std::string> parse_msg_ids(std::string_view value, std::size_t max_ids);

// Parameters after the type of a Content-Type or Content-Disposition value,
// starting at its first ';'. Exposed for tests.
std::vector<param> parse_params(std::string_view text, std::size_t max_params);

}  // namespace copper::mime
