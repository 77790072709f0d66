// Single byte ranges (see range.hpp).
#include "proto/http/range.hpp"

namespace srs::proto::http {
namespace {

// 1*DIGIT, bounded below 2^60 so nothing overflows.
bool parse_u64(std::string_view s, uint64_t* out) noexcept {
  if (s.empty() || s.size() > 18) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + uint64_t(c - '0');
  }
  *out = v;
  return true;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

RangeKind parse_range(std::string_view header, uint64_t size, ByteRange* out) noexcept {
  // ranges-specifier = range-unit "=" range-set; the unit is case-insensitive (14.1).
  header = trim(header);
  if (header.size() < 6) return RangeKind::kNone;
  std::string_view unit = header.substr(0, 6);
  for (size_t i = 0; i < 5; i++) {
    char c = unit[i];
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    if (c != "bytes"[i]) return RangeKind::kNone;
  }
  if (unit[5] != '=') return RangeKind::kNone;
  std::string_view spec = trim(header.substr(6));
  if (spec.find(',') != std::string_view::npos) return RangeKind::kNone;  // several: ignored
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeKind::kNone;
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  uint64_t first = 0, last = 0;
  if (a.empty()) {
    // suffix-range = "-" suffix-length: the last N bytes; N = 0 is unsatisfiable.
    if (!parse_u64(b, &last)) return RangeKind::kNone;
    if (last == 0 || size == 0) return RangeKind::kUnsatisfiable;
    out->first = last >= size ? 0 : size - last;
    out->last = size - 1;
    return RangeKind::kSingle;
  }
  if (!parse_u64(a, &first)) return RangeKind::kNone;
  if (b.empty()) {
    last = UINT64_MAX;  // int-range with no last-pos: to the end
  } else if (!parse_u64(b, &last) || last < first) {
    return RangeKind::kNone;  // invalid int-range: the header is ignored (14.1.1)
  }
  if (first >= size) return RangeKind::kUnsatisfiable;  // 14.1.1 satisfiable iff first < size
  out->first = first;
  out->last = last >= size ? size - 1 : last;
  return RangeKind::kSingle;
}

}  // namespace srs::proto::http
