// hls-mux: converts an FLV file into an HLS directory (segments + live
// playlist) through proto/hls::Segmenter and proto/ts::Muxer, carrying out the
// file operations the segmenter returns. For tests and for debugging the
// muxer without a server:
//
//   hls-mux [options] IN.flv OUTDIR
//     --app NAME --stream NAME      path variables (default live / livestream)
//     --fragment MS --window MS     SRS hls_fragment / hls_window, in ms
//     --td-ratio R                  target duration = ceil(fragment * R)
//     --end-list                    EXT-X-ENDLIST at the end of the input
//     --republish-at MS             the publisher leaves at this timestamp and comes back
//                                   at once with timestamps starting again at 0
//     --speed X                     pace the input at X times real time (default: no pacing),
//                                   so that a checker can watch the playlist live
//     --keep                        never delete old segments
//
// "Now" is the media timestamp (plus the republish gap), so deletions happen
// on the media clock.
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "proto/flv/tag_reader.hpp"
#include "proto/hls/segmenter.hpp"

namespace {

using srs::proto::hls::FileOp;
using srs::proto::hls::FileOpKind;

struct Options {
  std::string in, out;
  srs::proto::hls::SegmenterConfig cfg;
  bool end_list = false;
  bool keep = false;
  int64_t republish_at = -1;
  double speed = 0;
};

int usage() {
  std::fprintf(
      stderr,
      "usage: hls-mux [--app A] [--stream S] [--fragment MS] [--window MS] [--td-ratio R]\n"
      "               [--end-list] [--republish-at MS] [--speed X] [--keep] IN.flv OUTDIR\n");
  return 2;
}

bool parse_args(int argc, char** argv, Options& o) {
  o.cfg.app = "live";
  o.cfg.stream = "livestream";
  std::vector<std::string> pos;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--end-list")
      o.end_list = true;
    else if (a == "--keep")
      o.keep = true;
    else if (a == "--app" && (v = next()))
      o.cfg.app = v;
    else if (a == "--stream" && (v = next()))
      o.cfg.stream = v;
    else if (a == "--fragment" && (v = next()))
      o.cfg.fragment_ms = uint32_t(std::strtoul(v, nullptr, 10));
    else if (a == "--window" && (v = next()))
      o.cfg.window_ms = uint32_t(std::strtoul(v, nullptr, 10));
    else if (a == "--td-ratio" && (v = next()))
      o.cfg.td_ratio = std::strtod(v, nullptr);
    else if (a == "--republish-at" && (v = next()))
      o.republish_at = std::strtoll(v, nullptr, 10);
    else if (a == "--speed" && (v = next()))
      o.speed = std::strtod(v, nullptr);
    else if (!a.empty() && a[0] == '-')
      return false;
    else
      pos.push_back(a);
  }
  if (pos.size() != 2) return false;
  o.in = pos[0];
  o.out = pos[1];
  return true;
}

bool make_parents(const std::string& path) {
  for (size_t p = path.find('/', 1); p != std::string::npos; p = path.find('/', p + 1)) {
    std::string dir = path.substr(0, p);
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      std::fprintf(stderr, "hls-mux: mkdir(%s) failed: %s\n", dir.c_str(), std::strerror(errno));
      return false;
    }
  }
  return true;
}

// Carries out the segmenter's file operations under `root`.
class FileRunner {
 public:
  FileRunner(std::string root, bool keep) : root_(std::move(root)), keep_(keep) {}
  ~FileRunner() {
    if (seg_) std::fclose(seg_);
  }

  bool run(const std::vector<FileOp>& ops) {
    for (const auto& op : ops)
      if (!run_one(op)) return false;
    return true;
  }

 private:
  bool fail(const char* what, const std::string& path) {
    std::fprintf(stderr, "hls-mux: %s(%s) failed: %s\n", what, path.c_str(), std::strerror(errno));
    return false;
  }

  bool write_file(const std::string& path, std::span<const uint8_t> bytes) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return fail("fopen", path);
    bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    ok = (std::fclose(f) == 0) && ok;
    return ok || fail("write", path);
  }

  bool run_one(const FileOp& op) {
    std::string path = root_ + "/" + op.path, tmp = root_ + "/" + op.tmp_path;
    switch (op.kind) {
      case FileOpKind::kOpen:
        if (!make_parents(tmp)) return false;
        seg_ = std::fopen(tmp.c_str(), "wb");
        return seg_ || fail("fopen", tmp);
      case FileOpKind::kAppend:
        if (!seg_) return true;
        return std::fwrite(op.bytes.data(), 1, op.bytes.size(), seg_) == op.bytes.size() ||
               fail("fwrite", tmp);
      case FileOpKind::kClose:
        if (seg_ && std::fclose(seg_) != 0) return fail("fclose", tmp);
        seg_ = nullptr;
        return std::rename(tmp.c_str(), path.c_str()) == 0 || fail("rename", tmp);
      case FileOpKind::kWritePlaylist:
        if (!make_parents(tmp) || !write_file(tmp, op.bytes)) return false;
        return std::rename(tmp.c_str(), path.c_str()) == 0 || fail("rename", tmp);
      case FileOpKind::kDelete:
        if (keep_) return true;
        return std::remove(path.c_str()) == 0 || errno == ENOENT || fail("remove", path);
    }
    return true;
  }

  std::string root_;
  bool keep_;
  FILE* seg_ = nullptr;
};

void log_events(const srs::proto::hls::Output& out) {
  using srs::proto::hls::EventKind;
  for (const auto& e : out.events) {
    switch (e.kind) {
      case EventKind::kSegment:
        std::printf("segment %" PRIu64 " %u ms\n", e.sequence, e.duration_ms);
        break;
      case EventKind::kForcedCut:
        std::printf("forced cut of segment %" PRIu64 " at %u ms (no keyframe in time)\n",
                    e.sequence, e.duration_ms);
        break;
      case EventKind::kDiscontinuity:
        std::printf("discontinuity at segment %" PRIu64 "\n", e.sequence);
        break;
      case EventKind::kMuxError:
        std::printf("mux error in segment %" PRIu64 ": %s\n", e.sequence,
                    e.status.to_string().c_str());
        break;
      case EventKind::kDropped:
        break;
    }
  }
}

// Sleeps until `media_ms` / speed has passed since the first call.
void pace(uint64_t media_ms, double speed) {
  using Clock = std::chrono::steady_clock;
  static const Clock::time_point start = Clock::now();
  auto due = start + std::chrono::microseconds(int64_t(double(media_ms) * 1000.0 / speed));
  std::this_thread::sleep_until(due);
}

bool read_file(const std::string& path, std::vector<uint8_t>& data) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  uint8_t buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;)
    data.insert(data.end(), buf, buf + n);
  std::fclose(f);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_args(argc, argv, o)) return usage();
  if (auto st = srs::proto::hls::Segmenter::validate(o.cfg); !st.is_ok()) {
    std::fprintf(stderr, "hls-mux: %s\n", st.to_string().c_str());
    return 2;
  }
  std::vector<uint8_t> data;
  if (!read_file(o.in, data)) {
    std::fprintf(stderr, "hls-mux: cannot read %s: %s\n", o.in.c_str(), std::strerror(errno));
    return 1;
  }
  if (mkdir(o.out.c_str(), 0755) != 0 && errno != EEXIST) {
    std::fprintf(stderr, "hls-mux: mkdir(%s): %s\n", o.out.c_str(), std::strerror(errno));
    return 1;
  }
  auto seg = std::make_unique<srs::proto::hls::Segmenter>(o.cfg);
  std::vector<std::vector<uint8_t>> headers;  // sequence headers, replayed on republish
  FileRunner files(o.out, o.keep);
  srs::proto::hls::Output out;
  srs::proto::flv::TagReader reader;
  std::span<const uint8_t> in(data);
  uint64_t now = 0;
  bool republished = false;
  while (!in.empty()) {
    auto r = reader.feed(in);
    if (!r.is_ok()) {
      std::fprintf(stderr, "hls-mux: bad FLV at byte %" PRIu64 ": %s\n", reader.offset(),
                   r.status().to_string().c_str());
      return 1;
    }
    in = in.subspan(r->consumed);
    if (r->event == srs::proto::flv::ReadEvent::kNeedMore) break;
    if (r->event != srs::proto::flv::ReadEvent::kTag) continue;
    const auto& tag = reader.tag();
    if (tag.type == srs::proto::flv::TagType::kScript) continue;
    now = tag.timestamp;
    if (o.speed > 0) pace(now, o.speed);
    if (!republished && o.republish_at >= 0 && tag.timestamp >= uint64_t(o.republish_at)) {
      // The publisher leaves and comes back: a new Segmenter on the saved state.
      republished = true;
      seg->on_unpublish(now, false, out);
      log_events(out);
      if (!files.run(out.ops)) return 1;
      seg = std::make_unique<srs::proto::hls::Segmenter>(o.cfg, seg->take_state());
      for (size_t i = 0; i < headers.size(); ++i) {
        bool video = headers[i][0] == 1;
        std::span<const uint8_t> body(headers[i].data() + 1, headers[i].size() - 1);
        if (video)
          seg->on_video(0, body, now, out);
        else
          seg->on_audio(0, body, now, out);
        if (!files.run(out.ops)) return 1;
      }
    }
    bool video = tag.type == srs::proto::flv::TagType::kVideo;
    uint32_t ts = republished ? uint32_t(tag.timestamp - o.republish_at) : tag.timestamp;
    if (video)
      seg->on_video(ts, tag.body, now, out);
    else
      seg->on_audio(ts, tag.body, now, out);
    log_events(out);
    if (!files.run(out.ops)) return 1;
    // Remember sequence headers (first byte: 1 video, 0 audio) for the replay.
    bool is_header = video ? (tag.body.size() > 1 && (tag.body[0] & 0x0f) == 7 && tag.body[1] == 0)
                           : (tag.body.size() > 1 && (tag.body[0] >> 4) == 10 && tag.body[1] == 0);
    if (is_header) {
      std::vector<uint8_t> h{uint8_t(video ? 1 : 0)};
      h.insert(h.end(), tag.body.begin(), tag.body.end());
      headers.push_back(std::move(h));
    }
  }
  seg->on_unpublish(now, o.end_list, out);
  log_events(out);
  if (!files.run(out.ops)) return 1;
  const auto& st = seg->stats();
  std::printf("done: %" PRIu64 " segments, %" PRIu64 " forced cuts, %" PRIu64
              " discontinuities, %" PRIu64 " mux errors, target duration %u s\n",
              st.segments, st.forced_cuts, st.discontinuities, st.mux_errors,
              seg->target_duration_s());
  return 0;
}
