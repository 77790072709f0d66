// libFuzzer target: AMF3 decoding on arbitrary bytes (reference tables, traits,
// vectors, the budget). Decoded values must survive amf3_write and decode again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "proto/amf/amf3_reader.hpp"
#include "proto/amf/amf3_writer.hpp"

using namespace srs::proto::amf;

namespace {

constexpr size_t kRoundTripLimit = 1 << 20;

// amf3_write cannot express an empty member name (it ends the dynamic list).
bool has_empty_key(const Value& v) {
  for (const Property& p : v.properties()) {
    if (p.name.empty() || has_empty_key(p.value)) return true;
  }
  for (const Value& item : v.items()) {
    if (has_empty_key(item)) return true;
  }
  return false;
}

void round_trip(const Value& v) {
  if (has_empty_key(v)) return;
  std::vector<uint8_t> out;
  amf3_write(out, v);
  if (out.size() > kRoundTripLimit) return;
  Amf3Reader again(out.data(), out.size());
  auto back = again.read();
  // The writer spells out in full what the input shared by reference, so the
  // copy may cost more than the decode budget: a limit, not a round-trip failure.
  if (!back.is_ok() && back.status().code() == srs::base::Errc::kTooLarge) return;
  if (!back.is_ok() || !again.at_end() || !(back.value() == v)) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Amf3Reader reader(data, size);
  while (!reader.at_end()) {
    size_t before = reader.offset();
    auto v = reader.read();
    if (!v.is_ok()) {
      if (reader.offset() != before) abort();
      break;
    }
    if (reader.offset() <= before) abort();
    round_trip(v.value());
  }
  return 0;
}
