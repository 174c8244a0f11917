// Versioned schema migrations for the SQLite store. PRAGMA user_version holds
// the schema version; each step runs in its own transaction.
#pragma once

#include "store/sqlite/db.h"

namespace copper::store::sqlite {

// Brings the schema up to date. Throws db_error on failure, and when the file
// was written by a newer Copper than this one.
void migrate(database& db);

int schema_version();

}  // namespace copper::store::sqlite
