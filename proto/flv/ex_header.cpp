// Enhanced RTMP v2 header parts shared by audio and video (ModEx, multitrack).
#include "proto/flv/ex_header.hpp"

namespace srs::proto::flv {

using base::Errc;
using base::Status;

Status read_mod_ex(codec::ByteCursor& c, uint8_t& packet_type, uint32_t& nano_offset) noexcept {
  while (packet_type == kPacketTypeModEx) {
    uint8_t small, types;
    uint16_t big;
    std::span<const uint8_t> data;
    if (!c.u8(small)) return Status::fail(Errc::kInvalid, "E-RTMP ModEx size truncated");
    size_t size = size_t{small} + 1;
    if (size == 256) {
      if (!c.u16(big)) return Status::fail(Errc::kInvalid, "E-RTMP ModEx UI16 size truncated");
      size = size_t{big} + 1;
    }
    if (!c.take(size, data) || !c.u8(types)) {
      return Status::fail(Errc::kInvalid, "E-RTMP ModEx data runs past the body");
    }
    packet_type = types & 0x0f;
    // ModExType TimestampOffsetNano = 0: UI24 nanoseconds, at most 999999.
    if ((types >> 4) == 0 && data.size() >= 3) nano_offset = base::load_be24(data.data());
  }
  return Status::ok();
}

Status walk_tracks(codec::ByteCursor& c, MultitrackType type, uint32_t shared_fourcc,
                   FirstTrack& first) noexcept {
  first = FirstTrack{};
  while (c.left() > 0) {
    uint32_t fourcc = shared_fourcc;
    uint8_t track_id;
    uint32_t size;
    if (type == MultitrackType::kManyTracksManyCodecs && !c.u32(fourcc)) {
      return Status::fail(Errc::kInvalid, "E-RTMP track FourCC truncated");
    }
    if (!c.u8(track_id)) return Status::fail(Errc::kInvalid, "E-RTMP trackId truncated");
    size_t offset = c.pos();
    std::span<const uint8_t> payload;
    if (type == MultitrackType::kOneTrack) {
      size = static_cast<uint32_t>(c.left());
    } else if (!c.u24(size)) {
      return Status::fail(Errc::kInvalid, "E-RTMP sizeOfTrack truncated");
    } else {
      offset = c.pos();
    }
    if (!c.take(size, payload)) {
      return Status::fail(Errc::kInvalid, "E-RTMP track runs past the body");
    }
    if (first.track_count++ == 0) {
      first.fourcc = fourcc;
      first.track_id = track_id;
      first.offset = offset;
      first.payload = payload;
    }
  }
  if (first.track_count == 0) {
    return Status::fail(Errc::kInvalid, "E-RTMP multitrack body has no track");
  }
  return Status::ok();
}

}  // namespace srs::proto::flv
