#include "mime/imap.h"

#include <cstring>
#include <optional>

#include "core/text.h"
#include "mime/address.h"
#include "mime/lex.h"

namespace copper::mime {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

// RFC 3501 7.4.2: a multipart has at least one body part. A multipart without
// any gets an empty text/plain one, as Dovecot writes it.
constexpr std::string_view empty_body =
    R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0))";
constexpr std::string_view empty_body_ext =
    R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL))";

// Text meant for people (subject, display names): every run of whitespace
// and line breaks becomes one space, and the ends are trimmed. Dovecot does
// the same, so clients see the same subject from both.
std::string for_humans(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (lex::is_space(c)) {
      space = !out.empty();
      continue;
    }
    if (space) {
      out += ' ';
      space = false;
    }
    out += c;
  }
  return out;
}

// An unstructured value as written: unfolded, leading whitespace dropped.
std::string plain_value(std::string_view raw_value) { return unfold(raw_value); }

void append_number(std::string& out, std::size_t n) { out += std::to_string(n); }

void append_params(std::string& out, const std::vector<param>& params, bool add_charset) {
  if (params.empty() && !add_charset) {
    out += "NIL";
    return;
  }
  out += '(';
  bool first = true;
  for (const param& p : params) {
    if (!first) {
      out += ' ';
    }
    first = false;
    if (p.is_extended) {
      append_imap_string(out, p.name + "*");
      out += ' ';
      append_imap_string(out, p.extended);
    } else {
      append_imap_string(out, p.name);
      out += ' ';
      append_imap_string(out, p.value);
    }
  }
  if (add_charset) {
    // RFC 2046 4.1.2: text without a charset parameter is US-ASCII; say so.
    out += first ? "" : " ";
    out += R"("charset" "us-ascii")";
  }
  out += ')';
}

void append_disposition(std::string& out, const part& p) {
  if (!p.has_disposition) {
    out += "NIL";
    return;
  }
  out += '(';
  append_imap_string(out, p.disposition);
  out += ' ';
  append_params(out, p.disposition_params, false);
  out += ')';
}

void append_languages(std::string& out, const part& p) {
  if (p.languages.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  for (std::size_t i = 0; i < p.languages.size(); ++i) {
    if (i > 0) {
      out += ' ';
    }
    append_imap_string(out, p.languages[i]);
  }
  out += ')';
}

void append_address_list(std::string& out, std::string_view raw_value) {
  std::vector<address> list = parse_address_list(raw_value);
  if (list.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  for (const address& a : list) {
    out += '(';
    switch (a.what) {
      case address::kind::group_start:
        // RFC 3501 7.4.2: NIL host name marks the start of a group, with the
        // group name as the mailbox name.
        out += "NIL NIL ";
        append_imap_string(out, for_humans(a.name));
        out += " NIL";
        break;
      case address::kind::group_end:
        out += "NIL NIL NIL NIL";
        break;
      case address::kind::mailbox:
        append_imap_nstring(out, for_humans(a.name));
        out += ' ';
        append_imap_nstring(out, a.route);
        out += ' ';
        // A NIL mailbox or host would read as a group marker, so missing
        // parts get Dovecot's placeholders.
        append_imap_string(out, a.mailbox.empty() ? "MISSING_MAILBOX" : a.mailbox);
        out += ' ';
        append_imap_string(out, a.domain.empty() ? "MISSING_DOMAIN" : a.domain);
        break;
    }
    out += ')';
  }
  out += ')';
}

bool has_addresses(std::string_view raw_value) { return !parse_address_list(raw_value, 1).empty(); }

void append_envelope(std::string& out, std::string_view raw, span header) {
  enum { date, subject, from, sender, reply_to, to, cc, bcc, in_reply_to, message_id, count };
  static constexpr std::string_view names[count] = {"date",        "subject",   "from", "sender",
                                                    "reply-to",    "to",        "cc",   "bcc",
                                                    "in-reply-to", "message-id"};
  std::optional<std::string_view> values[count];
  field_reader reader(header.of(raw));
  while (auto f = reader.next()) {
    for (int i = 0; i < count; ++i) {
      if (iequals_ascii(f->name, names[i])) {
        values[i] = f->value;  // a repeated field: the last one counts, as in Dovecot
        break;
      }
    }
  }
  auto nstring = [&](int i) {
    if (!values[i]) {
      out += "NIL";
    } else {
      append_imap_string(out, plain_value(*values[i]));
    }
  };
  auto addresses = [&](int i, int fallback) {
    // RFC 3501 7.4.2: the server defaults Sender and Reply-To to From.
    if (fallback >= 0 && (!values[i] || !has_addresses(*values[i]))) {
      i = fallback;
    }
    if (!values[i]) {
      out += "NIL";
    } else {
      append_address_list(out, *values[i]);
    }
  };
  out += '(';
  nstring(date);
  out += ' ';
  if (!values[subject]) {
    out += "NIL";
  } else {
    append_imap_string(out, for_humans(*values[subject]));
  }
  out += ' ';
  addresses(from, -1);
  out += ' ';
  addresses(sender, from);
  out += ' ';
  addresses(reply_to, from);
  out += ' ';
  addresses(to, -1);
  out += ' ';
  addresses(cc, -1);
  out += ' ';
  addresses(bcc, -1);
  out += ' ';
  nstring(in_reply_to);
  out += ' ';
  nstring(message_id);
  out += ')';
}

void append_body(std::string& out, std::string_view raw, const part& p, bool extended) {
  out += '(';
  if (p.is_multipart()) {
    if (p.children.empty()) {
      out += extended ? empty_body_ext : empty_body;
    }
    for (const part& c : p.children) {
      append_body(out, raw, c, extended);
    }
    out += ' ';
    append_imap_string(out, p.written_subtype);
    if (extended) {
      out += ' ';
      append_params(out, p.type_params, false);
      out += ' ';
      append_disposition(out, p);
      out += ' ';
      append_languages(out, p);
      out += ' ';
      append_imap_nstring(out, p.location);
    }
    out += ')';
    return;
  }
  append_imap_string(out, p.written_type);
  out += ' ';
  append_imap_string(out, p.written_subtype);
  out += ' ';
  append_params(out, p.type_params, p.is_text() && find_param(p.type_params, "charset") == nullptr);
  out += ' ';
  append_imap_nstring(out, p.id);
  out += ' ';
  append_imap_nstring(out, p.description);
  out += ' ';
  append_imap_string(out, p.transfer_encoding_name);
  out += ' ';
  append_number(out, p.imap_size());
  if (p.is_message()) {
    // RFC 3501 7.4.2 (and RFC 9051 7.5.2 for message/global): the envelope
    // and structure of the enclosed message, then the line count.
    out += ' ';
    if (!p.children.empty()) {
      const part& inner = p.children.front();
      append_envelope(out, raw, inner.header);
      out += ' ';
      append_body(out, raw, inner, extended);
    } else {
      // Left unparsed by the limits: its header still gives the envelope.
      append_envelope(out, raw, header_at(raw, p.body.begin, p.body));
      out += ' ';
      out += extended ? empty_body_ext : empty_body;
    }
    out += ' ';
    append_number(out, p.body_lines);
  } else if (p.is_text()) {
    out += ' ';
    append_number(out, p.body_lines);
  }
  if (extended) {
    out += ' ';
    append_imap_nstring(out, p.md5);
    out += ' ';
    append_disposition(out, p);
    out += ' ';
    append_languages(out, p);
    out += ' ';
    append_imap_nstring(out, p.location);
  }
  out += ')';
}

}  // namespace

void append_imap_string(std::string& out, std::string_view s) {
  bool literal = false;
  bool nul = false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u == 0) {
      nul = true;
      literal = true;
    } else if (u >= 0x80 || c == '\r' || c == '\n') {
      literal = true;
    }
  }
  if (!literal) {
    out += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') {
        out += '\\';  // RFC 3501 9: quoted-specials are escaped
      }
      out += c;
    }
    out += '"';
    return;
  }
  std::string cleaned;
  if (nul) {
    for (char c : s) {
      if (c == '\0') {
        cleaned += replacement;
      } else {
        cleaned += c;
      }
    }
    s = cleaned;
  }
  out += '{';
  append_number(out, s.size());
  out += "}\r\n";
  out += s;
}

void append_imap_nstring(std::string& out, std::string_view s) {
  if (s.empty()) {
    out += "NIL";
  } else {
    append_imap_string(out, s);
  }
}

std::string imap_envelope(std::string_view raw, span header) {
  std::string out;
  append_envelope(out, raw, header);
  return out;
}

std::string imap_envelope(std::string_view raw, const message& m) {
  return imap_envelope(raw, m.root.header);
}

std::string imap_bodystructure(std::string_view raw, const part& p, bool extended) {
  std::string out;
  append_body(out, raw, p, extended);
  return out;
}

std::string imap_bodystructure(std::string_view raw, const message& m, bool extended) {
  return imap_bodystructure(raw, m.root, extended);
}

}  // namespace copper::mime
