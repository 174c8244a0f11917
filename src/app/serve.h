// `copper serve`: wires config -> store -> directory -> pipeline -> listeners
// and runs until SIGTERM.
#pragma once

#include "config/config.h"

namespace copper::app {

int serve(const config::config& cfg);

}  // namespace copper::app
