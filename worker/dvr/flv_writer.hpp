// FlvWriter: FLV files for the DVR (dvr_writer.hpp) through
// proto::flv::FileWriter: the header, the metadata and sequence headers,
// then the tags from the first keyframe, rebased to 0; the metadata's
// duration set to the file's own once it is finished (as SRS's DVR does).
#pragma once

#include "proto/flv/file_writer.hpp"
#include "worker/dvr/dvr_writer.hpp"

namespace srs::worker {

class FlvWriter final : public DvrWriter {
 public:
  explicit FlvWriter(std::vector<uint8_t>* out) : writer_(out) {}

  bool on_metadata(uint32_t ts, std::span<const uint8_t> body) override {
    writer_.on_metadata(ts, body);
    return true;
  }
  bool on_video(uint32_t ts, std::span<const uint8_t> body) override {
    writer_.on_video(ts, body);
    return true;
  }
  bool on_audio(uint32_t ts, std::span<const uint8_t> body) override {
    writer_.on_audio(ts, body);
    return true;
  }
  bool finish_file() override { return true; }
  void begin_file() override { writer_.begin_file(); }
  Patch final_patch() const override;

  bool started() const override { return writer_.started(); }
  uint64_t file_time(uint32_t ts) const override { return writer_.rebase(ts); }
  uint64_t duration_ms() const override { return writer_.duration_ms(); }
  uint64_t file_bytes() const override { return writer_.file_bytes(); }

 private:
  proto::flv::FileWriter writer_;
};

}  // namespace srs::worker
