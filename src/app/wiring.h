// The one place that picks backends from the config and builds the model
// objects every command (serve, user add, ...) works through.
#pragma once

#include <memory>

#include "config/config.h"
#include "directory/directory.h"
#include "store/mailbox_store.h"
#include "store/stats.h"
#include "store/store.h"

namespace copper::app {

struct core_services {
  std::unique_ptr<store::store> store;
  store::mailbox_store* mailboxes = nullptr;  // the same backend object as `store`
  store::stats_store* stats = nullptr;        // the same backend object as `store`
  std::unique_ptr<directory::directory> directory;
};

// Creates data_dir (mode 0700) and opens the store and directory.
result<core_services> open_core(const config::config& cfg);

}  // namespace copper::app
