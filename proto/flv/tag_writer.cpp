// FLV framing for bodies held elsewhere (FLV v10.1 annex E.2, E.3, E.4.1).
#include "proto/flv/tag_writer.hpp"

#include "base/bytes.hpp"

namespace srs::proto::flv {

using base::Errc;
using base::Status;

void write_file_start(bool has_audio, bool has_video, uint8_t (&out)[kFileStartSize]) noexcept {
  out[0] = 'F';
  out[1] = 'L';
  out[2] = 'V';
  out[3] = 1;  // Version
  // TypeFlagsReserved UB[5] = 0, TypeFlagsAudio UB[1], TypeFlagsReserved UB[1] = 0,
  // TypeFlagsVideo UB[1].
  out[4] = static_cast<uint8_t>((has_audio ? 0x04 : 0) | (has_video ? 0x01 : 0));
  base::store_be32(out + 5, kFileHeaderSize);  // DataOffset
  base::store_be32(out + 9, 0);                // PreviousTagSize0
}

Status make_tag_framing(TagType type, uint32_t timestamp, uint32_t data_size,
                        TagFraming& out) noexcept {
  if (data_size > kMaxDataSize) return Status::fail(Errc::kTooLarge, "FLV tag body over 16 MB");
  uint8_t* h = out.header;
  h[0] = static_cast<uint8_t>(type);  // Reserved UB[2] = 0, Filter UB[1] = 0, TagType UB[5]
  base::store_be24(h + 1, data_size);
  base::store_be24(h + 4, timestamp & 0xffffff);
  h[7] = static_cast<uint8_t>(timestamp >> 24);  // TimestampExtended
  base::store_be24(h + 8, 0);                    // StreamID
  base::store_be32(out.previous_size, static_cast<uint32_t>(kTagHeaderSize + data_size));
  return Status::ok();
}

}  // namespace srs::proto::flv
