// Test support for the worker's ring consumers: a stream's media ring in
// memory (a heap block, or a real shm::Segment for what must own one),
// records written the way the publisher writes them (type and flags from
// the FLV tag body), the views a reader gets back, and synthetic media
// bodies (AVC and AAC from the TS tests, onMetaData built byte by byte).
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "proto/flv/audio_tag.hpp"
#include "proto/flv/video_tag.hpp"
#include "shm/ring_reader.hpp"
#include "shm/ring_writer.hpp"
#include "shm/segment.hpp"
#include "t/unit/proto/rtmp/amf_builder.hpp"
#include "t/unit/proto/ts/ts_test_util.hpp"
#include "worker/stream/media_record.hpp"

namespace srs::test {

// A heap block standing in for a MAP_SHARED mapping, formatted as a ring.
struct RingBlock {
  struct FreeDeleter {
    void operator()(void* p) const { std::free(p); }
  };
  std::size_t size;
  std::unique_ptr<void, FreeDeleter> mem;
  shm::RingWriter writer;

  explicit RingBlock(uint32_t capacity = 1u << 16) : size(shm::bytes_for(capacity)) {
    mem.reset(std::aligned_alloc(4096, (size + 4095) & ~std::size_t{4095}));
    std::memset(mem.get(), 0, size);
    REQUIRE(writer.init(mem.get(), size, {.capacity = capacity}).is_ok());
  }
  shm::RingReader reader(shm::AttachAt at = shm::AttachAt::kLiveEdge) {
    shm::RingReader r;
    REQUIRE(r.attach(mem.get(), size, {.attach_at = at}).is_ok());
    return r;
  }
};

// A ring in a named segment (what OutputFeed owns). The name is unlinked at
// once: the mapping stays, and nothing is left in /dev/shm whatever happens.
struct SegmentRing {
  shm::Segment seg;
  shm::RingWriter writer;

  explicit SegmentRing(uint32_t capacity = 1u << 16) {
    static uint32_t epoch = 0;
    shm::InstanceId id = shm::InstanceId::generate();
    id.random ^= 0x7e570000u;  // not a real server's instance
    shm::SegmentName name = shm::segment_name(id, 0, ++epoch);
    auto s = shm::Segment::create(name, shm::bytes_for(capacity));
    REQUIRE(s.is_ok());
    seg = std::move(s).value();
    REQUIRE(shm::Segment::unlink(name).is_ok());
    REQUIRE(writer.init(seg.data(), seg.size(), {.capacity = capacity}).is_ok());
  }
  // A reader at the publish's start (Outputs::on_publish's options).
  shm::RingReader reader() {
    shm::RingReader r;
    REQUIRE(
        r.attach(seg.data(), seg.size(),
                 {.attach_at = shm::AttachAt::kLiveEdge, .on_lap = shm::LapPolicy::kJumpToKeyframe})
            .is_ok());
    return r;
  }
};

// The ring's type and flags of a record, as Publisher::classify makes them.
inline shm::RecordMeta meta_of(worker::MediaKind kind, uint32_t ts, std::span<const uint8_t> body) {
  shm::RecordMeta m;
  m.timestamp = ts;
  if (kind == worker::MediaKind::kMetadata) {
    m.type = shm::RecordType::kData;
    m.flags = shm::kFlagMetadata;
    return m;
  }
  if (kind == worker::MediaKind::kAudio) {
    m.type = shm::RecordType::kAudio;
    auto a = proto::flv::classify_audio(body);
    if (a.is_ok() && a->is_sequence_header) m.flags |= shm::kFlagSequenceHeader;
    return m;
  }
  m.type = shm::RecordType::kVideo;
  auto v = proto::flv::classify_video(body);
  if (v.is_ok() && v->is_keyframe && !v->is_sequence_header) m.flags |= shm::kFlagKeyframe;
  if (v.is_ok() && v->is_sequence_header) m.flags |= shm::kFlagSequenceHeader;
  if (v.is_ok()) m.cts = v->cts;
  return m;
}

// Appends and commits one record.
inline void put(shm::RingWriter& w, worker::MediaKind kind, uint32_t ts,
                const std::vector<uint8_t>& body) {
  REQUIRE(w.append(meta_of(kind, ts, body), shm::ConstBytes(body)).is_ok());
  (void)w.commit();
}

// Every record readable now (views into the ring), the cursor moved past them.
inline std::vector<shm::RecordView> read_all(shm::RingReader& r) {
  std::vector<shm::RecordView> out;
  shm::RecordView views[16];
  for (;;) {
    shm::ReadResult res = r.read(views, 16, 1u << 30);
    if (res.status != shm::ReadStatus::kRecords) return out;
    for (uint32_t i = 0; i < res.count; ++i) out.push_back(views[i]);
    REQUIRE(r.validate(res.start));
    r.advance_past(views[res.count - 1]);
  }
}

inline std::vector<uint8_t> bytes_of(const shm::RecordView& v) {
  return {v.payload, v.payload + v.size};
}

// The AMF0 onMetaData value players get: "onMetaData", ECMA array {duration,
// width, encoder}.
inline std::vector<uint8_t> metadata_body(double duration = 0, double width = 1280) {
  AmfBytes b;
  b.str("onMetaData").ecma(3);
  b.key("duration").num(duration);
  b.key("width").num(width);
  b.key("encoder").str("unit");
  b.end();
  return b.b;
}

using ts::aac_frame;
using ts::aac_sequence_header;
using ts::avc_frame;
using ts::avc_sequence_header;

}  // namespace srs::test
