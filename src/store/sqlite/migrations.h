// Versioned schema migrations for the SQLite store. PRAGMA user_version holds
// the schema version; each step runs in its own transaction.
#pragma once

#include "store/sqlite/db.h"

namespace copper::store::sqlite {

int schema_version();

// Brings the schema up to date (or up to `target`, which tests use to build
// a file as an older release left it). Throws db_error on failure, and when
// the file was written by a newer Copper than this one.
void migrate(database& db, int target = schema_version());

}  // namespace copper::store::sqlite
