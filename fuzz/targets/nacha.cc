// The NACHA reader (core/nacha.h): any file is parsed or refused; a file that
// parses has its returns extracted and is written again.
#include <cstdint>
#include <string_view>

#include "payops/core/nacha.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto file = payops::nacha::Parse(text);
  if (!file.ok()) return 0;
  (void)payops::nacha::ExtractReturns(*file);
  (void)payops::nacha::Write(*file);
  return 0;
}
