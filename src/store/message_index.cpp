#include "store/message_index.h"

#include "mime/casefold.h"
#include "mime/decode.h"
#include "mime/header.h"
#include "mime/imap.h"
#include "mime/message.h"
#include "mime/text.h"

namespace copper::store {
namespace {

// Bounds on the ids kept for threading: a References field can be long.
constexpr std::size_t max_parents = 50;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

// Appends one field's decoded value as a line (a field may occur twice).
void add_field(std::string& out, std::string_view value) {
  if (out.size() >= max_indexed_text) {
    return;
  }
  out += mime::decode_header_value(value);
  out += '\n';
}

void index_header(std::string_view raw, const mime::part& root, message_index& out) {
  mime::field_reader reader(root.header.of(raw));
  std::string from, to, cc, bcc, subject;
  std::vector<std::string> ids;
  while (auto f = reader.next()) {
    if (iequals(f->name, "From")) {
      add_field(from, f->value);
    } else if (iequals(f->name, "To")) {
      add_field(to, f->value);
    } else if (iequals(f->name, "Cc")) {
      add_field(cc, f->value);
    } else if (iequals(f->name, "Bcc")) {
      add_field(bcc, f->value);
    } else if (iequals(f->name, "Subject")) {
      add_field(subject, f->value);
    } else if (iequals(f->name, "Message-ID") && out.message_id.empty()) {
      auto own = mime::parse_msg_ids(f->value, 1);
      if (!own.empty()) {
        out.message_id = std::move(own.front());
      }
    } else if (iequals(f->name, "In-Reply-To") || iequals(f->name, "References")) {
      for (auto& id : mime::parse_msg_ids(f->value, max_parents - ids.size())) {
        ids.push_back(std::move(id));
      }
    }
  }
  out.from = mime::casefold(from);
  out.to = mime::casefold(to);
  out.cc = mime::casefold(cc);
  out.bcc = mime::casefold(bcc);
  out.subject = mime::casefold(subject);
  out.parents = std::move(ids);
}

// The header fields as "Name: decoded value" lines, at most max_indexed_text.
std::string header_text(std::string_view raw, const mime::part& root) {
  std::string out;
  mime::field_reader reader(root.header.of(raw));
  while (out.size() < max_indexed_text) {
    auto f = reader.next();
    if (!f) {
      break;
    }
    std::string line(f->name);
    line += ": ";
    line += mime::decode_header_value(f->value);
    line += '\n';
    out += line;
  }
  return mime::casefold(out);
}

}  // namespace

message_index index_message(std::string_view raw) {
  message_index out;
  mime::message m = mime::parse(raw);
  out.envelope = mime::imap_envelope(raw, m);
  out.bodystructure = mime::imap_bodystructure(raw, m, true);
  out.body = mime::imap_bodystructure(raw, m, false);
  index_header(raw, m.root, out);
  out.headers = header_text(raw, m.root);
  out.text = mime::casefold(mime::decoded_body_text(raw, m, max_indexed_text));
  return out;
}

}  // namespace copper::store
