// FlvLoop: an FLV file as an endless live source (see flv_loop.hpp).
#include "tools/srs-bench/flv_loop.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "proto/flv/audio_tag.hpp"
#include "proto/flv/tag_reader.hpp"
#include "proto/flv/video_tag.hpp"
#include "tools/srs-bench/latency_stamp.hpp"

namespace srs::tools::srs_bench {

using proto::flv::TagType;

namespace {

constexpr uint32_t kPassGapMs = 40;  // between the last tag of a pass and the first of the next

}  // namespace

base::Status FlvLoop::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::Status::sys("open");
  std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  proto::flv::TagReader reader;
  std::span<const uint8_t> rest(file);
  bool have_base = false;
  uint32_t first_ts = 0;
  while (!rest.empty()) {
    auto r = reader.feed(rest);
    if (!r.is_ok()) return r.status();
    rest = rest.subspan(r->consumed);
    if (r->event == proto::flv::ReadEvent::kNeedMore) break;
    if (r->event != proto::flv::ReadEvent::kTag) continue;
    const auto& tag = reader.tag();
    if (tag.type == TagType::kScript || tag.body.empty()) continue;
    Entry e{tag.type,
            tag.timestamp,
            false,
            false,
            false,
            data_.size(),
            static_cast<uint32_t>(tag.body.size())};
    if (tag.type == TagType::kVideo) {
      auto info = proto::flv::classify_video(tag.body);
      e.keyframe = info.is_ok() && info->is_keyframe && !info->is_sequence_header;
      e.sequence_header = info.is_ok() && info->is_sequence_header;
      e.stampable = is_avc_nalu_packet(tag.body);
    } else {
      auto info = proto::flv::classify_audio(tag.body);
      e.sequence_header = info.is_ok() && info->is_sequence_header;
    }
    if (!e.sequence_header && !have_base) {
      have_base = true;
      first_ts = tag.timestamp;
    }
    data_.insert(data_.end(), tag.body.begin(), tag.body.end());
    entries_.push_back(e);
  }
  // Sequence headers first, then the media in file order, timestamps from 0.
  std::stable_partition(entries_.begin(), entries_.end(),
                        [](const Entry& e) { return e.sequence_header; });
  first_media_ = 0;
  while (first_media_ < entries_.size() && entries_[first_media_].sequence_header) ++first_media_;
  if (first_media_ == entries_.size())
    return base::Status::fail(base::Errc::kInvalid, "flv: no media tags");
  uint32_t last = 0;
  for (auto& e : entries_) {
    e.timestamp = e.sequence_header ? 0 : e.timestamp - std::min(e.timestamp, first_ts);
    last = std::max(last, e.timestamp);
  }
  span_ = last + kPassGapMs;
  size_t largest = 0;
  for (const auto& e : entries_) largest = std::max<size_t>(largest, e.size);
  out_.resize(largest + kStampSize);
  return base::Status::ok();
}

uint32_t FlvLoop::next_timestamp() const noexcept {
  return base_ + current().timestamp;
}

MediaFrame FlvLoop::take() noexcept {
  const Entry& e = current();
  MediaFrame f{e.type, base_ + e.timestamp, e.keyframe, e.sequence_header, {}, -1};
  const uint8_t* body = data_.data() + e.offset;
  if (!e.stampable) {
    std::copy_n(body, e.size, out_.begin());
    f.body = {out_.data(), e.size};
  } else {
    // Header (5 bytes), the stamp NAL unit, then the file's NAL units.
    std::copy_n(body, kAvcVideoHeaderSize, out_.begin());
    write_stamp(0, out_.data() + kAvcVideoHeaderSize);
    std::copy_n(body + kAvcVideoHeaderSize, e.size - kAvcVideoHeaderSize,
                out_.begin() + kAvcVideoHeaderSize + kStampSize);
    f.body = {out_.data(), e.size + kStampSize};
    f.stamp_offset = static_cast<int>(kAvcVideoHeaderSize);
  }
  advance();
  return f;
}

void FlvLoop::advance() noexcept {
  if (++pos_ < entries_.size()) return;
  pos_ = first_media_;
  base_ += span_;
}

}  // namespace srs::tools::srs_bench
