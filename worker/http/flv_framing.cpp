// FLV tag framing for a ring player (see flv_framing.hpp).
#include "worker/http/flv_framing.hpp"

#include <cstring>

#include "proto/flv/tag_writer.hpp"

namespace srs::worker {
namespace {

namespace flv = proto::flv;

flv::TagType tag_type(shm::RecordType type) {
  switch (type) {
    case shm::RecordType::kAudio:
      return flv::TagType::kAudio;
    case shm::RecordType::kVideo:
      return flv::TagType::kVideo;
    default:
      return flv::TagType::kScript;
  }
}

constexpr size_t kFraming = flv::kTagHeaderSize + flv::kPreviousTagSizeSize;

void append(std::vector<uint8_t>& out, const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  out.insert(out.end(), p, p + len);
}

void queue_tag(shm::RecordType type, const std::vector<uint8_t>& body, std::vector<uint8_t>& out) {
  if (body.empty()) return;
  flv::TagFraming f;
  if (!flv::make_tag_framing(tag_type(type), 0, uint32_t(body.size()), f).is_ok()) return;
  append(out, f.header, sizeof f.header);
  append(out, body.data(), body.size());
  append(out, f.previous_size, sizeof f.previous_size);
}

}  // namespace

void FlvFraming::queue_head(const StartPack& pack, std::vector<uint8_t>& out) {
  started_ = true;
  append(out, head_.data(), head_.size());
  // E.2: the flags say which tags follow; with no sequence header yet, both.
  bool audio = !pack.audio.empty(), video = !pack.video.empty();
  if (!audio && !video) audio = video = true;
  uint8_t start[flv::kFileStartSize];
  flv::write_file_start(audio, video, start);
  append(out, start, sizeof start);
}

void FlvFraming::queue_start(const StartPack& pack, std::vector<uint8_t>& out) {
  if (!started_) queue_head(pack, out);
  queue_tag(shm::RecordType::kData, pack.metadata, out);
  queue_tag(shm::RecordType::kVideo, pack.video, out);
  queue_tag(shm::RecordType::kAudio, pack.audio, out);
}

size_t FlvFraming::header_space(uint32_t) const {
  return kFraming;
}
size_t FlvFraming::iovec_space(uint32_t) const {
  return 3;
}

base::Result<size_t> FlvFraming::frame(const shm::RecordView& v, uint32_t timestamp,
                                       uint8_t* scratch, size_t scratch_len, iovec* iov,
                                       size_t iov_cap) {
  if (scratch_len < kFraming || iov_cap < 3) {
    return base::Status::fail(base::Errc::kTooLarge, "no room to frame an FLV tag");
  }
  flv::TagFraming f;
  if (base::Status s = flv::make_tag_framing(tag_type(v.type), timestamp, v.payload_len, f);
      !s.is_ok()) {
    return s;
  }
  std::memcpy(scratch, f.header, sizeof f.header);
  std::memcpy(scratch + sizeof f.header, f.previous_size, sizeof f.previous_size);
  size_t n = 0;
  // A record already partly sent (offset > 0) had its tag header sent with it.
  if (v.offset == 0) iov[n++] = {scratch, sizeof f.header};
  iov[n++] = {const_cast<uint8_t*>(v.payload), v.size};
  iov[n++] = {scratch + sizeof f.header, sizeof f.previous_size};
  return n;
}

}  // namespace srs::worker
