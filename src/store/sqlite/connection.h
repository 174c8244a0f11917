// Opening a store connection with the pragmas every connection needs.
#pragma once

#include <filesystem>
#include <memory>

#include "store/sqlite/db.h"

namespace copper::store::sqlite {

// WAL for concurrent readers; synchronous=FULL so that a commit is on stable
// storage before it returns (a 250 must survive a power cut, not only kill -9).
void configure(database& db);

}  // namespace copper::store::sqlite
