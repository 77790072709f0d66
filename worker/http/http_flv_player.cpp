// FLV tag framing for a ring player (see http_flv_player.hpp).
#include "worker/http/http_flv_player.hpp"

#include "proto/flv/tag_writer.hpp"
#include "worker/http/http_conn.hpp"

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

}  // namespace

int HttpFlvPlayer::fd() const {
  return conn_.fd();
}
bool HttpFlvPlayer::closing() const {
  return conn_.closing();
}
void HttpFlvPlayer::close(const std::string& why) {
  conn_.close(why);
}
void HttpFlvPlayer::want_write() {
  conn_.want_write();
}
void HttpFlvPlayer::count_out(size_t bytes) {
  conn_.count_out(bytes);
}
bool HttpFlvPlayer::flush_control() {
  return conn_.flush_out();
}

void HttpFlvPlayer::queue_tag(shm::RecordType type, uint32_t timestamp,
                              const std::vector<uint8_t>& body) {
  if (body.empty()) return;
  flv::TagFraming f;
  if (!flv::make_tag_framing(tag_type(type), timestamp, uint32_t(body.size()), f).is_ok()) return;
  conn_.queue(f.header, sizeof f.header);
  conn_.queue(body.data(), body.size());
  conn_.queue(f.previous_size, sizeof f.previous_size);
}

void HttpFlvPlayer::queue_start_pack(const StartPack& pack) {
  if (!started_) {
    started_ = true;
    conn_.queue(reinterpret_cast<const uint8_t*>(head_.data()), head_.size());
    // E.2: the flags say which tags follow; with no sequence header yet, both.
    bool audio = !pack.audio.empty(), video = !pack.video.empty();
    if (!audio && !video) audio = video = true;
    uint8_t start[flv::kFileStartSize];
    flv::write_file_start(audio, video, start);
    conn_.queue(start, sizeof start);
    conn_.on_flv_started();
  }
  queue_tag(shm::RecordType::kData, 0, pack.metadata);
  queue_tag(shm::RecordType::kVideo, 0, pack.video);
  queue_tag(shm::RecordType::kAudio, 0, pack.audio);
}

size_t HttpFlvPlayer::header_space(uint32_t) const {
  return kFraming;
}
size_t HttpFlvPlayer::iovec_space(uint32_t) const {
  return 3;
}

base::Result<size_t> HttpFlvPlayer::frame(const shm::RecordView& v, uint32_t timestamp,
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
