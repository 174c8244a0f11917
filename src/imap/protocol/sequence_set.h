// IMAP sequence sets (RFC 9051 9 "sequence-set"): "1:4,7,10:*", for message
// sequence numbers or UIDs; "*" is the largest number in use. "$" (SEARCHRES,
// RFC 5182) is resolved by the session before it gets here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace copper::imap {

class sequence_set {
 public:
  struct range {
    std::uint32_t low;   // 0 stands for "*"
    std::uint32_t high;  // 0 stands for "*"
  };

  static result<sequence_set> parse(std::string_view text);
  static sequence_set from_numbers(const std::vector<std::uint32_t>& sorted);

  // Membership with "*" meaning `largest` (RFC 9051 9: "*" is the largest
  // number in use; ranges may be given high:low).
  bool contains(std::uint32_t n, std::uint32_t largest) const;
  // The members up to `largest`, ascending, without duplicates.
  std::vector<std::uint32_t> expand(std::uint32_t largest) const;
  // The compact wire form ("1:3,5").
  std::string to_string() const;
  const std::vector<range>& ranges() const { return ranges_; }

 private:
  std::vector<range> ranges_;
};

}  // namespace copper::imap
