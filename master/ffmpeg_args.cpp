// ffmpeg command lines (see ffmpeg_args.hpp).
#include "master/ffmpeg_args.hpp"

#include <cstdio>

namespace srs::master {
namespace {

using Args = std::vector<std::string>;

void add(Args* a, std::initializer_list<std::string> words) {
  a->insert(a->end(), words.begin(), words.end());
}

std::string kbits(uint32_t kbps) {
  return std::to_string(kbps) + "k";
}

// 25 -> "25", 29.97 -> "29.97".
std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void add_params(Args* a, const std::vector<std::pair<std::string, std::string>>& params) {
  for (const auto& [key, value] : params) {
    a->push_back(key.starts_with('-') ? key : "-" + key);
    a->push_back(value);
  }
}

Args head(const conf::FfmpegConfig& ffmpeg) {
  return {ffmpeg.program, "-hide_banner", "-nostdin", "-nostats", "-loglevel", ffmpeg.log_level};
}

void add_video(Args* a, const conf::TranscodeEngine& e) {
  if (e.vcodec == "none") return add(a, {"-vn"});
  add(a, {"-c:v", e.vcodec});
  if (e.vcodec == "copy") return;
  if (e.vbitrate > 0) add(a, {"-b:v", kbits(e.vbitrate)});
  if (e.vfps > 0) add(a, {"-r", number(e.vfps)});
  if (e.width > 0) add(a, {"-s", std::to_string(e.width) + "x" + std::to_string(e.height)});
  if (!e.vprofile.empty()) add(a, {"-profile:v", e.vprofile});
  if (!e.vpreset.empty()) add(a, {"-preset", e.vpreset});
  if (!e.filters.empty()) add(a, {"-vf", e.filters});
  add_params(a, e.vparams);
}

void add_audio(Args* a, const conf::TranscodeEngine& e) {
  if (e.acodec == "none") return add(a, {"-an"});
  add(a, {"-c:a", e.acodec});
  if (e.acodec == "copy") return;
  if (e.abitrate > 0) add(a, {"-b:a", kbits(e.abitrate)});
  if (e.asample_rate > 0) add(a, {"-ar", std::to_string(e.asample_rate)});
  if (e.achannels > 0) add(a, {"-ac", std::to_string(e.achannels)});
  add_params(a, e.aparams);
}

bool is_local_file(const std::string& input) {
  return input.find("://") == std::string::npos || input.starts_with("file:");
}

}  // namespace

Args transcode_args(const conf::FfmpegConfig& ffmpeg, const conf::TranscodeEngine& engine,
                    const std::string& input_url, const std::string& output_url) {
  Args a = head(ffmpeg);
  add(&a, {"-i", input_url});
  add_video(&a, engine);
  add_audio(&a, engine);
  add(&a, {"-f", "flv", output_url});
  return a;
}

Args ingest_args(const conf::FfmpegConfig& ffmpeg, const conf::IngestConfig& ingest,
                 const conf::TranscodeEngine* engine, const std::string& output_url) {
  Args a = head(ffmpeg);
  if (is_local_file(ingest.input)) {
    add(&a, {"-re"});
    if (ingest.loop) add(&a, {"-stream_loop", "-1"});
  }
  add(&a, {"-i", ingest.input});
  if (engine != nullptr) {
    add_video(&a, *engine);
    add_audio(&a, *engine);
  } else {
    add(&a, {"-c", "copy"});
  }
  add(&a, {"-f", "flv", output_url});
  return a;
}

}  // namespace srs::master
