// Owning handles for the libavformat objects of the MP4 writer
// (mp4_writer.hpp): each freed by its own libav call when the handle goes.
//
// An AVFormatContext never frees the AVIOContext it writes through (ours is
// a custom one, AVFMT_FLAG_CUSTOM_IO): hold the IoContext longer than the
// FormatContext (declare it first).
#pragma once

extern "C" {
#include <libavcodec/packet.h>
#include <libavformat/avformat.h>
#include <libavformat/avio.h>
#include <libavutil/dict.h>
#include <libavutil/mem.h>
}

#include <memory>
#include <string>

namespace srs::worker::av {

struct FreeFormatContext {
  void operator()(AVFormatContext* c) const noexcept { avformat_free_context(c); }
};
struct FreeIoContext {
  void operator()(AVIOContext* c) const noexcept {
    av_freep(&c->buffer);  // the buffer may have been replaced by a larger one
    avio_context_free(&c);
  }
};
struct FreePacket {
  void operator()(AVPacket* p) const noexcept { av_packet_free(&p); }
};

using FormatContext = std::unique_ptr<AVFormatContext, FreeFormatContext>;
using IoContext = std::unique_ptr<AVIOContext, FreeIoContext>;
using Packet = std::unique_ptr<AVPacket, FreePacket>;

// Options for a libav call that takes an AVDictionary** (and leaves in it
// the entries nobody used).
struct Dictionary {
  AVDictionary* d = nullptr;
  Dictionary() = default;
  Dictionary(const Dictionary&) = delete;
  Dictionary& operator=(const Dictionary&) = delete;
  ~Dictionary() { av_dict_free(&d); }
};

// av_strerror's text for a libav error code.
inline std::string error_text(int err) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  if (av_strerror(err, text, sizeof text) != 0) return "libav error " + std::to_string(err);
  return text;
}

}  // namespace srs::worker::av
