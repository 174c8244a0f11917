#include "store/search_document.h"

#include "core/text.h"
#include "mime/casefold.h"
#include "mime/decode.h"
#include "mime/header.h"
#include "mime/lex.h"
#include "mime/message.h"
#include "mime/text.h"

namespace copper::store {
namespace {

// Appends one field's decoded value as a line (a field may occur twice).
void add_field(std::string& out, std::string_view value) {
  if (out.size() >= max_indexed_text) {
    return;
  }
  out += mime::decode_header_value(value);
  out += '\n';
}

// The address and subject fields IMAP SEARCH names, each case-folded.
void add_named_fields(std::string_view header, search_document& out) {
  mime::field_reader reader(header);
  std::string from, to, cc, bcc, subject;
  while (auto f = reader.next()) {
    if (iequals_ascii(f->name, "From")) {
      add_field(from, f->value);
    } else if (iequals_ascii(f->name, "To")) {
      add_field(to, f->value);
    } else if (iequals_ascii(f->name, "Cc")) {
      add_field(cc, f->value);
    } else if (iequals_ascii(f->name, "Bcc")) {
      add_field(bcc, f->value);
    } else if (iequals_ascii(f->name, "Subject")) {
      add_field(subject, f->value);
    }
  }
  out.from = mime::casefold(from);
  out.to = mime::casefold(to);
  out.cc = mime::casefold(cc);
  out.bcc = mime::casefold(bcc);
  out.subject = mime::casefold(subject);
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
    out += f->name;
    out += ": ";
    out += mime::decode_header_value(f->value);
    out += '\n';
  }
  return mime::casefold(out);
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

search_document extract_search_document(std::string_view raw) {
  search_document out;
  mime::message m = mime::parse(raw);
  add_named_fields(m.root.header.of(raw), out);
  out.headers = header_text(raw, m.root);
  out.text = mime::casefold(mime::decoded_body_text(raw, m, max_indexed_text));
  return out;
}

search_document extract_search_fields(std::string_view raw) {
  search_document out;
  add_named_fields(mime::header_at(raw, 0, mime::span{0, raw.size()}).of(raw), out);
  return out;
}

bool document_contains(const search_document& doc, text_field field, std::string_view needle) {
  switch (field) {
    case text_field::from:
      return contains(doc.from, needle);
    case text_field::to:
      return contains(doc.to, needle);
    case text_field::cc:
      return contains(doc.cc, needle);
    case text_field::bcc:
      return contains(doc.bcc, needle);
    case text_field::subject:
      return contains(doc.subject, needle);
    case text_field::body:
      return contains(doc.text, needle);
    case text_field::text:
      return contains(doc.headers, needle) || contains(doc.text, needle);
  }
  return false;
}

}  // namespace copper::store
