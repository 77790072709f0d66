// libFuzzer target: the configuration loader must never crash, and either
// yield a config or at least one error.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "conf/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  srs::conf::LoadResult r = srs::conf::load_text(text, "fuzz.yaml");
  if (r.ok() != r.errors.empty()) std::abort();
  for (const auto& e : r.errors) (void)e.to_string();
  return 0;
}
