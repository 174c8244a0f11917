// How FETCH, SEARCH and SORT cut a command's messages into store batches
// (imap/batch.h): every message in exactly one batch, in order, with the
// count and byte bounds kept and a single oversized message alone.
#include "imap/batch.h"

#include <gtest/gtest.h>

#include <vector>

namespace copper::imap {
namespace {

std::vector<std::size_t> cuts(const std::vector<std::uint64_t>& sizes, bool with_blobs) {
  std::vector<std::size_t> ends;
  for (std::size_t first = 0; first < sizes.size();) {
    std::size_t last =
        batch_end(first, sizes.size(), with_blobs, [&](std::size_t i) { return sizes[i]; });
    EXPECT_GT(last, first);
    ends.push_back(last);
    first = last;
  }
  return ends;
}

TEST(Batch, CountBound) {
  std::vector<std::uint64_t> sizes(batch_messages * 2 + 1, 10);
  EXPECT_EQ(cuts(sizes, true),
            (std::vector<std::size_t>{batch_messages, batch_messages * 2, batch_messages * 2 + 1}));
  EXPECT_EQ(cuts({}, true), std::vector<std::size_t>{});
}

TEST(Batch, ByteBoundOnlyWithBlobs) {
  std::uint64_t half = batch_bytes / 2;
  std::vector<std::uint64_t> sizes{half, half, 1, batch_bytes * 3, 1, 1};
  EXPECT_EQ(cuts(sizes, true), (std::vector<std::size_t>{2, 3, 4, 6}));
  EXPECT_EQ(cuts(sizes, false), std::vector<std::size_t>{6});
}

}  // namespace
}  // namespace copper::imap
