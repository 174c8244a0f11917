#include "app/wiring.h"

#include <sys/stat.h>

#include "directory/internal_directory.h"
#include "store/sqlite/sqlite_store.h"

namespace copper::app {

result<core_services> open_core(const config::config& cfg) {
  std::error_code ec;
  std::filesystem::create_directories(cfg.data_dir, ec);
  if (ec) {
    return make_error("cannot create data_dir " + cfg.data_dir.string() + ": " + ec.message());
  }
  ::chmod(cfg.data_dir.c_str(), 0700);  // mail and password hashes live here
  core_services core;
  try {
    auto sqlite = std::make_unique<store::sqlite::sqlite_store>(cfg.data_dir);
    core.mailboxes = sqlite.get();
    core.stats = sqlite.get();
    core.store = std::move(sqlite);
  } catch (const std::exception& e) {
    return make_error(std::string("cannot open the store: ") + e.what());
  }
  core.directory = std::make_unique<directory::internal_directory>(*core.store);
  return core;
}

}  // namespace copper::app
