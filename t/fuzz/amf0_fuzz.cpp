// libFuzzer target: AMF0 decoding (with AVM+ switches into AMF3) on arbitrary
// bytes. Every value that decodes must re-encode and decode back to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "proto/amf/amf0_reader.hpp"
#include "proto/amf/amf0_writer.hpp"

using namespace srs::proto::amf;

namespace {

constexpr size_t kRoundTripLimit = 1 << 20;  // keep re-encoding cheap

// A reference's index counts complex values of the whole payload, so a value
// holding one may not decode alone.
bool has_reference(const Value& v) {
  if (v.is(Type::kReference)) return true;
  for (const Property& p : v.properties()) {
    if (has_reference(p.value)) return true;
  }
  for (const Value& item : v.items()) {
    if (has_reference(item)) return true;
  }
  return false;
}

void round_trip(const Value& v) {
  if (has_reference(v)) return;
  std::vector<uint8_t> out;
  amf0_write(out, v);
  if (out.size() > kRoundTripLimit) return;
  Amf0Reader again(out.data(), out.size());
  auto back = again.read();
  // The writer spells out in full what the input shared by reference, so the
  // copy may cost more than the decode budget: a limit, not a round-trip failure.
  if (!back.is_ok() && back.status().code() == srs::base::Errc::kTooLarge) return;
  if (!back.is_ok() || !again.at_end() || !(back.value() == v)) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Amf0Reader reader(data, size);
  while (!reader.at_end()) {
    size_t before = reader.offset();
    auto v = reader.read();
    if (!v.is_ok()) {
      if (reader.offset() != before) abort();  // an error never moves the reader
      break;
    }
    if (reader.offset() <= before) abort();  // progress, or this would loop
    round_trip(v.value());
  }
  return 0;
}
