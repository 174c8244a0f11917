#include "store/sqlite/connection.h"

namespace copper::store::sqlite {

void configure(database& db) {
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
}

}  // namespace copper::store::sqlite
