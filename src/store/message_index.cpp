#include "store/message_index.h"

#include "core/text.h"
#include "mime/header.h"
#include "mime/imap.h"
#include "mime/lex.h"
#include "mime/message.h"

namespace copper::store {
namespace {

// Bounds on the ids kept for threading: a References field can be long.
constexpr std::size_t max_parents = 50;

void index_ids(std::string_view raw, const mime::part& root, message_index& out) {
  mime::field_reader reader(root.header.of(raw));
  std::vector<std::string> ids;
  while (auto f = reader.next()) {
    if (iequals_ascii(f->name, "Message-ID") && out.message_id.empty()) {
      auto own = mime::parse_msg_ids(f->value, 1);
      if (!own.empty()) {
        out.message_id = std::move(own.front());
      }
    } else if (iequals_ascii(f->name, "In-Reply-To") || iequals_ascii(f->name, "References")) {
      for (auto& id : mime::parse_msg_ids(f->value, max_parents - ids.size())) {
        ids.push_back(std::move(id));
      }
    }
  }
  out.parents = std::move(ids);
}

}  // namespace

message_index index_message(std::string_view raw) {
  message_index out;
  mime::message m = mime::parse(raw);
  out.envelope = mime::imap_envelope(raw, m);
  out.bodystructure = mime::imap_bodystructure(raw, m, true);
  out.body = mime::imap_bodystructure(raw, m, false);
  index_ids(raw, m.root, out);
  return out;
}

}  // namespace copper::store
