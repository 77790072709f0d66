// FlvLoop: a MediaSource that plays an FLV file in a loop, like `ffmpeg -re
// -stream_loop -1 -i file.flv -c copy`. The file's sequence headers go first
// and only once; each pass after the first continues the timestamps. Every
// legacy AVC NALU packet gets a latency stamp NAL unit inserted first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.hpp"
#include "tools/srs-bench/media_source.hpp"

namespace srs::tools::srs_bench {

class FlvLoop final : public MediaSource {
 public:
  // Reads and indexes the whole file. Errors: the file cannot be read, it is
  // not FLV, or it holds no audio or video tag.
  [[nodiscard]] base::Status load(const std::string& path);

  uint32_t next_timestamp() const noexcept override;
  MediaFrame take() noexcept override;

 private:
  struct Entry {
    proto::flv::TagType type;
    uint32_t timestamp;  // relative to the first media tag
    bool keyframe;
    bool sequence_header;
    bool stampable;
    size_t offset;  // of the body in data_
    uint32_t size;
  };

  const Entry& current() const noexcept { return entries_[pos_]; }
  void advance() noexcept;

  std::vector<uint8_t> data_;  // every tag body, back to back
  std::vector<Entry> entries_;
  size_t first_media_ = 0;  // first entry that is not a sequence header
  size_t pos_ = 0;
  uint32_t base_ = 0;  // added to the timestamps of this pass
  uint32_t span_ = 0;  // last timestamp + one frame: the length of a pass
  std::vector<uint8_t> out_;
};

}  // namespace srs::tools::srs_bench
