// Test helpers: the golden files under t/data/media/ (tests run from the
// repository root) and the tags an FLV byte stream holds.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "proto/flv/tag_reader.hpp"

namespace srs::test {

inline std::vector<uint8_t> read_media(const std::string& name) {
  std::ifstream in("t/data/media/" + name, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A tag with its body copied out of the reader.
struct OwnedTag {
  proto::flv::TagType type;
  uint32_t timestamp;
  std::vector<uint8_t> body;
  bool operator==(const OwnedTag&) const = default;
};

// Feeds `bytes` in pieces of the given sizes (the last piece repeats) and
// collects every tag; stops at the first error, returned in `status`.
inline std::vector<OwnedTag> read_tags(std::span<const uint8_t> bytes,
                                       std::span<const size_t> pieces,
                                       base::Status* status = nullptr,
                                       proto::flv::TagReader::Options options = {}) {
  proto::flv::TagReader reader(options);
  std::vector<OwnedTag> tags;
  size_t pos = 0, piece = 0;
  while (pos < bytes.size()) {
    size_t n = std::min(pieces[std::min(piece, pieces.size() - 1)], bytes.size() - pos);
    ++piece;
    auto in = bytes.subspan(pos, n);
    pos += n;
    while (true) {
      auto r = reader.feed(in);
      if (!r.is_ok()) {
        if (status) *status = r.status();
        return tags;
      }
      in = in.subspan(r->consumed);
      if (r->event == proto::flv::ReadEvent::kTag) {
        const auto& t = reader.tag();
        tags.push_back({t.type, t.timestamp, {t.body.begin(), t.body.end()}});
      }
      if (r->event == proto::flv::ReadEvent::kNeedMore) break;
    }
  }
  if (status) *status = base::Status::ok();
  return tags;
}

inline std::vector<OwnedTag> read_all_tags(std::span<const uint8_t> bytes) {
  const size_t whole[] = {bytes.size()};
  return read_tags(bytes, whole);
}

}  // namespace srs::test
