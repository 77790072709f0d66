// Helpers shared by the proto/rtmp unit tests: drive a ChunkReader over a
// byte stream cut at chosen places, and load captured sessions.
#pragma once

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "proto/rtmp/chunk_reader.hpp"

namespace srs::proto::rtmp::test {

struct Received {
  MessageHeader header;
  uint32_t csid = 0;
  std::vector<uint8_t> payload;
  bool operator==(const Received&) const = default;
};

struct ReadAll {
  std::vector<Received> messages;
  bool error = false;
  base::Status status;
  size_t leftover = 0;  // bytes of an unfinished chunk at the end
};

// Feeds `bytes` to `reader` in pieces of `piece` bytes (0: all at once),
// collecting every message.
inline ReadAll read_all(ChunkReader& reader, const std::vector<uint8_t>& bytes, size_t piece = 0) {
  ReadAll out;
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t n = piece == 0 ? bytes.size() - pos : std::min(piece, bytes.size() - pos);
    const uint8_t* p = bytes.data() + pos;
    while (n > 0) {
      size_t used = 0;
      ReadResult r = reader.feed(p, n, &used);
      p += used;
      n -= used;
      pos += used;
      if (r == ReadResult::kError) {
        out.error = true;
        out.status = reader.error();
        return out;
      }
      if (r == ReadResult::kNeedMore) break;
      const Message& m = reader.message();
      out.messages.push_back({m.header, m.csid, {m.payload.begin(), m.payload.end()}});
    }
  }
  return out;
}

// Cuts the stream at the given offsets (sorted) and feeds the pieces.
inline ReadAll read_split(ChunkReader& reader, const std::vector<uint8_t>& bytes,
                          const std::vector<size_t>& cuts) {
  ReadAll out;
  size_t start = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(bytes.size());
  for (size_t end : ends) {
    std::vector<uint8_t> part(bytes.begin() + start, bytes.begin() + end);
    ReadAll r = read_all(reader, part);
    out.messages.insert(out.messages.end(), r.messages.begin(), r.messages.end());
    if (r.error) {
      out.error = true;
      out.status = r.status;
      return out;
    }
    start = end;
  }
  return out;
}

// Loads a file under t/data/ whether the tests run from the tree's root (as
// t/run.py does) or elsewhere (then found through this header's path).
inline std::vector<uint8_t> load_data(const std::string& relative) {
  std::string here = __FILE__;
  std::string root = here.substr(0, here.rfind("t/unit/proto/rtmp/"));
  for (const std::string& path : {relative, root + relative}) {
    std::ifstream f(path, std::ios::binary);
    if (f) return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  }
  return {};
}

}  // namespace srs::proto::rtmp::test
