// Bounds shared by the AMF0 and AMF3 decoders: nesting depth and decoded size.
//
// Untrusted bytes must never drive unbounded recursion or memory: every
// container nests at most kMaxDepth levels, and every decoded value (and every
// byte of every decoded string, including AMF3 strings and objects copied out
// of the reference tables) is charged against a budget per reader.
#pragma once

#include <cstddef>

namespace srs::proto::amf {

// Containers may nest kMaxDepth levels: an object inside 31 others is accepted,
// one more level is "nesting too deep".
inline constexpr int kMaxDepth = 32;

// Decoded bytes (strings plus kNodeCost per value) one reader may produce.
inline constexpr size_t kDefaultBudget = size_t{16} << 20;
inline constexpr size_t kNodeCost = 64;

}  // namespace srs::proto::amf
