// How FETCH, SEARCH, SORT and THREAD cut the messages of a command into
// batches for the store's batch reads (mailbox_store::read_blobs and the
// like): one worker-pool trip per batch instead of one per message, with
// what a batch holds in memory bounded.
#pragma once

#include <cstddef>
#include <cstdint>

namespace copper::imap {

constexpr std::size_t batch_messages = 256;
// Blob bytes per batch; one larger message is a batch of its own.
constexpr std::uint64_t batch_bytes = std::uint64_t{8} << 20;

// One past the last message of the batch that starts at `first` of
// `count`; `size_of(i)` is the i-th message's size, counted when the batch
// reads blobs.
template <class SizeOf>
std::size_t batch_end(std::size_t first, std::size_t count, bool with_blobs, SizeOf size_of) {
  std::size_t last = first;
  std::uint64_t bytes = 0;
  while (last < count && last - first < batch_messages) {
    if (with_blobs) {
      bytes += size_of(last);
      if (bytes > batch_bytes && last > first) {
        break;
      }
    }
    ++last;
  }
  return last;
}

}  // namespace copper::imap
