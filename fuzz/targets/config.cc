// TOML configuration (cli/config.h): any text is read into a Config or
// refused with an error, never more.
#include <cstdint>
#include <string_view>

#include "payops/cli/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  payops::cli::Config cfg;
  (void)payops::cli::LoadConfigText(text, cfg);
  (void)payops::cli::ParseListen(std::string(text.substr(0, 128)));
  return 0;
}
