// Mp4Writer: synthetic H.264 + AAC (and HEVC) records muxed into a buffer,
// written to a file and read back with libavformat's own demuxer: the
// tracks and their codec parameters, every packet with its timestamps and
// key flag; timestamps across 2^31 and 2^32 ms and a file time past 2^32 ms
// stay monotonic and exact; the layout a 4 GiB+ file needs (no whole-file
// 32-bit offset table, 64-bit tfdt/tfra); a file cut short after a
// fragment (a crash) still reads up to that fragment; unsupported codecs
// and changed configurations.
#include "worker/dvr/mp4_writer.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "t/unit/proto/flv/media_file.hpp"
#include "t/unit/proto/ts/ts_test_util.hpp"
#include "t/unit/worker/temp_dir.hpp"

using namespace srs;
using srs::worker::MediaKind;
using srs::worker::MediaRecord;
using srs::worker::Mp4Writer;
namespace av = srs::worker::av;
namespace ts = srs::test::ts;
using Bytes = std::vector<uint8_t>;

namespace {

struct ReadPacket {
  int stream;
  int64_t dts_ms, pts_ms;
  bool key;
  int size;
};

struct ReadFile {
  int error = 0;                           // avformat_open_input's
  std::vector<AVCodecParameters*> params;  // owned by the context below
  std::vector<ReadPacket> packets;
  double duration_s = 0;  // of the longest track, once every packet was read
  struct Close {
    void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
  };
  std::unique_ptr<AVFormatContext, Close> ctx;
};

// Every packet of the MP4 in `bytes`, read by libavformat from a file.
ReadFile read_mp4(const Bytes& bytes) {
  test::TempDir tmp;
  std::string path = tmp.path + "/f.mp4";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  ReadFile out;
  av_log_set_level(AV_LOG_QUIET);  // the demuxer's H.264 parser frowns at the synthetic slices
  AVFormatContext* raw = nullptr;
  out.error = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (out.error < 0) return out;
  out.ctx.reset(raw);
  for (unsigned i = 0; i < raw->nb_streams; ++i) out.params.push_back(raw->streams[i]->codecpar);
  av::Packet p(av_packet_alloc());
  while (av_read_frame(raw, p.get()) >= 0) {
    AVRational tb = raw->streams[p->stream_index]->time_base;
    out.packets.push_back({p->stream_index, av_rescale_q(p->dts, tb, {1, 1000}),
                           av_rescale_q(p->pts, tb, {1, 1000}), (p->flags & AV_PKT_FLAG_KEY) != 0,
                           p->size});
    av_packet_unref(p.get());
  }
  // What ffprobe reports as the format's duration: the longest track's end.
  for (unsigned i = 0; i < raw->nb_streams; ++i) {
    const AVStream* st = raw->streams[i];
    out.duration_s = std::max(out.duration_s, double(st->duration) * av_q2d(st->time_base));
  }
  return out;
}

std::vector<ReadPacket> of_stream(const ReadFile& f, int stream) {
  std::vector<ReadPacket> out;
  for (const auto& p : f.packets)
    if (p.stream == stream) out.push_back(p);
  return out;
}

// Strictly increasing dts, pts >= dts.
void check_monotonic(const std::vector<ReadPacket>& packets) {
  for (size_t i = 1; i < packets.size(); ++i) {
    CAPTURE(i);
    CHECK(packets[i].dts_ms > packets[i - 1].dts_ms);
    CHECK(packets[i].pts_ms >= packets[i].dts_ms);
  }
}

// A writer and its buffer, fed the way the sink feeds it.
struct Muxer {
  Bytes buf;
  Mp4Writer w{&buf};
  bool ok = true;

  void headers(uint32_t at) {
    ok = ok && w.on_metadata(at, Bytes{0x02, 0x00, 0x00});
    ok = ok && w.on_video(at, ts::avc_sequence_header());
    ok = ok && w.on_audio(at, ts::aac_sequence_header());
  }
  // 25 fps video (a keyframe every `gop_ms`, composition time 40 ms on
  // non-key frames) and audio every 20 ms, over [from, to] (32-bit wrapping).
  void media(uint64_t from, uint64_t to, uint64_t gop_ms) {
    for (uint64_t t = from; t <= to; t += 20) {
      if ((t - from) % 40 == 0) {
        bool key = (t - from) % gop_ms == 0;
        ok = ok && w.on_video(uint32_t(t), ts::avc_frame(key, key ? 0 : 40, 300));
      }
      ok = ok && w.on_audio(uint32_t(t), ts::aac_frame(30));
    }
  }
  Bytes finish() {
    ok = ok && w.finish_file();
    return buf;
  }
};

// The top-level boxes (ISO/IEC 14496-12 4.2) as (type, offset, size).
struct Box {
  std::string type;
  size_t at, size;
};
std::vector<Box> boxes_in(const Bytes& b, size_t from, size_t to) {
  std::vector<Box> out;
  while (from + 8 <= to) {
    uint64_t size = base::load_be32(&b[from]);
    size_t header = 8;
    if (size == 1) {
      size = base::load_be64(&b[from + 8]);
      header = 16;
    }
    if (size < header || from + size > to) break;
    out.push_back(
        {std::string(reinterpret_cast<const char*>(&b[from + 4]), 4), from, size_t(size)});
    from += size;
  }
  return out;
}
// Every box of type `type` under `parents` (a path of container boxes).
void find_boxes(const Bytes& b, size_t from, size_t to, const std::string& type,
                std::vector<Box>* out) {
  static const char* const kContainers[] = {"moov", "trak", "mdia", "minf", "stbl",
                                            "moof", "traf", "mfra", "mvex"};
  for (const Box& box : boxes_in(b, from, to)) {
    if (box.type == type) out->push_back(box);
    if (std::find(std::begin(kContainers), std::end(kContainers), box.type) !=
        std::end(kContainers))
      find_boxes(b, box.at + 8, box.at + box.size, type, out);
  }
}
std::vector<Box> find_boxes(const Bytes& b, const std::string& type) {
  std::vector<Box> out;
  find_boxes(b, 0, b.size(), type, &out);
  return out;
}

}  // namespace

TEST_CASE("mp4 writer: H.264 + AAC read back with their codec parameters and every packet") {
  Muxer m;
  m.headers(1000);
  m.media(1000, 3000, 1000);  // 2 s: 51 video frames, 101 audio frames
  CHECK(m.w.started());
  CHECK(m.w.duration_ms() == 2000);
  Bytes file = m.finish();
  REQUIRE(m.ok);
  CHECK(m.w.file_bytes() == file.size());
  ReadFile f = read_mp4(file);
  REQUIRE(f.error == 0);
  REQUIRE(f.params.size() == 2);
  const AVCodecParameters* v = f.params[0];
  CHECK(v->codec_type == AVMEDIA_TYPE_VIDEO);
  CHECK(v->codec_id == AV_CODEC_ID_H264);
  CHECK(v->codec_tag == MKTAG('a', 'v', 'c', '1'));
  CHECK((v->width == 320 && v->height == 240));
  CHECK(Bytes(v->extradata, v->extradata + v->extradata_size) == ts::avc_record());
  const AVCodecParameters* a = f.params[1];
  CHECK(a->codec_type == AVMEDIA_TYPE_AUDIO);
  CHECK(a->codec_id == AV_CODEC_ID_AAC);
  CHECK(a->sample_rate == 44100);
  CHECK(a->ch_layout.nb_channels == 2);
  CHECK(Bytes(a->extradata, a->extradata + a->extradata_size) == Bytes{0x12, 0x10});

  auto video = of_stream(f, 0), audio = of_stream(f, 1);
  REQUIRE(video.size() == 51);
  REQUIRE(audio.size() == 101);
  for (size_t i = 0; i < video.size(); ++i) {
    CAPTURE(i);
    bool key = i % 25 == 0;
    CHECK(video[i].dts_ms == int64_t(i) * 40);
    CHECK(video[i].pts_ms == video[i].dts_ms + (key ? 0 : 40));  // pts = dts + composition time
    CHECK(video[i].key == key);
    CHECK(video[i].size == 4 + 300);  // the length-prefixed NAL unit, as sent
  }
  for (size_t i = 0; i < audio.size(); ++i) CHECK(audio[i].dts_ms == int64_t(i) * 20);
  CHECK(audio[0].size == 30);
  // The index at the end gives the duration at once (the last frame's end).
  REQUIRE(!find_boxes(file, "mfra").empty());
  CHECK(f.duration_s == doctest::Approx(2.04).epsilon(0.01));
}

TEST_CASE("mp4 writer: timestamps crossing 2^31 and 2^32 ms stay monotonic and exact") {
  for (uint64_t start : {(uint64_t(1) << 31) - 3000, (uint64_t(1) << 32) - 3000}) {
    CAPTURE(start);
    Muxer m;
    m.headers(uint32_t(start));
    m.media(start, start + 6000, 2000);
    Bytes file = m.finish();
    REQUIRE(m.ok);
    ReadFile f = read_mp4(file);
    REQUIRE(f.error == 0);
    auto video = of_stream(f, 0), audio = of_stream(f, 1);
    REQUIRE(video.size() == 151);
    REQUIRE(audio.size() == 301);
    check_monotonic(video);
    check_monotonic(audio);
    CHECK(video.back().dts_ms == 6000);
    CHECK(audio.back().dts_ms == 6000);
    for (size_t i = 0; i < video.size(); ++i) CHECK(video[i].dts_ms == int64_t(i) * 40);
  }
}

TEST_CASE("mp4 writer: a file longer than 2^32 ms (49.7 days) keeps 64-bit times") {
  // A frame every 10 minutes for 50 days: each step fits 32 bits, the sum does not.
  Muxer m;
  m.headers(0);
  const uint64_t step = 10 * 60 * 1000, end = uint64_t(50) * 24 * 3600 * 1000;
  for (uint64_t t = 0; t <= end; t += step) {
    m.ok = m.ok && m.w.on_video(uint32_t(t), ts::avc_frame(true, 0, 20));
    m.ok = m.ok && m.w.on_audio(uint32_t(t), ts::aac_frame(10));
  }
  CHECK(m.w.file_time(uint32_t(end + step)) == end + step);
  Bytes file = m.finish();
  REQUIRE(m.ok);
  CHECK(m.w.duration_ms() == end);
  ReadFile f = read_mp4(file);
  REQUIRE(f.error == 0);
  auto video = of_stream(f, 0), audio = of_stream(f, 1);
  REQUIRE(video.size() == end / step + 1);
  REQUIRE(audio.size() == end / step + 1);
  check_monotonic(video);
  check_monotonic(audio);
  CHECK(video.back().dts_ms == int64_t(end));
  CHECK(audio.back().dts_ms == int64_t(end));
  CHECK(end > (uint64_t(1) << 32));
}

TEST_CASE("mp4 writer: the layout of a file past 4 GiB: offsets from each moof, 64-bit times") {
  Muxer m;
  m.headers(0);
  m.media(0, 5000, 2000);
  Bytes file = m.finish();
  REQUIRE(m.ok);
  std::vector<Box> top = boxes_in(file, 0, file.size());
  REQUIRE(top.size() > 4);
  CHECK(top[0].type == "ftyp");
  CHECK(top[1].type == "moov");
  CHECK(top.back().type == "mfra");
  CHECK(top.back().at + top.back().size == file.size());
  // The moov is empty: its chunk offset tables have no entry (ISO 14496-12 8.7.5).
  auto stco = find_boxes(file, "stco");
  REQUIRE(stco.size() == 2);
  for (const Box& b : stco) CHECK(base::load_be32(&file[b.at + 12]) == 0);
  CHECK(find_boxes(file, "co64").empty());
  // Fragments: tfhd with default-base-is-moof (0x020000), tfdt and tfra version 1.
  auto tfhd = find_boxes(file, "tfhd"), tfdt = find_boxes(file, "tfdt");
  auto tfra = find_boxes(file, "tfra");
  REQUIRE(tfhd.size() >= 10);  // 2 tracks, a fragment at least every second
  REQUIRE(tfdt.size() == tfhd.size());
  for (const Box& b : tfhd) CHECK((base::load_be32(&file[b.at + 8]) & 0x020000) != 0);
  for (const Box& b : tfdt) CHECK(file[b.at + 8] == 1);
  REQUIRE(tfra.size() == 2);
  for (const Box& b : tfra) CHECK(file[b.at + 8] == 1);
  CHECK(std::string(Mp4Writer::kMovFlags).find("default_base_moof") != std::string::npos);
}

TEST_CASE("mp4 writer: a file cut after a fragment (a crash) reads up to that fragment") {
  Muxer m;
  m.headers(0);
  Bytes on_disk;  // what the sink wrote out at each flush point
  size_t flushes = 0;
  for (uint32_t t = 0; t <= 4000; t += 20) {
    if (t % 40 == 0) m.ok = m.ok && m.w.on_video(t, ts::avc_frame(t % 2000 == 0, 0, 300));
    if (m.w.at_flush_point()) {
      ++flushes;
      on_disk.insert(on_disk.end(), m.buf.begin(), m.buf.end());
      m.buf.clear();
    }
    m.ok = m.ok && m.w.on_audio(t, ts::aac_frame(30));
  }
  REQUIRE(m.ok);
  // At most a second per fragment: 0-1 s, 1-2 s, 2-3 s, 3-4 s written when the next begins.
  CHECK(flushes >= 4);
  ReadFile f = read_mp4(on_disk);  // no trailer, no mfra: the .tmp after a SIGKILL
  REQUIRE(f.error == 0);
  auto video = of_stream(f, 0);
  REQUIRE(!video.empty());
  check_monotonic(video);
  CHECK(video.back().dts_ms >= 2960);  // everything up to the last whole fragment
  CHECK(video.back().dts_ms < 4000);
  CHECK(video.front().dts_ms == 0);
}

TEST_CASE("mp4 writer: HEVC (E-RTMP hvc1) becomes an hvc1 track with its hvcC") {
  Bytes mp4 = test::read_media("hevc_main_854x480.mp4");
  const uint8_t tag[] = {'h', 'v', 'c', 'C'};
  auto it = std::search(mp4.begin(), mp4.end(), tag, tag + 4);
  REQUIRE(it != mp4.end());
  Bytes record(it + 4, it - 4 + base::load_be32(&*(it - 4)));
  auto hevc = [](uint8_t first, const Bytes& payload, bool with_cts) {
    Bytes b = {first, 'h', 'v', 'c', '1'};
    if (with_cts) b.insert(b.end(), {0, 0, 0});
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
  };
  Bytes key_nal = ts::nalus({Bytes(200, 0x26)}), inter_nal = ts::nalus({Bytes(100, 0x02)});
  Bytes buf;
  Mp4Writer w(&buf);
  REQUIRE(w.on_video(0, hevc(0x90, record, false)));  // key, SequenceStart
  for (uint32_t t = 0; t < 400; t += 40)
    REQUIRE(w.on_video(t, t == 0 ? hevc(0x91, key_nal, true) : hevc(0xa3, inter_nal, false)));
  REQUIRE(w.finish_file());
  ReadFile f = read_mp4(buf);
  REQUIRE(f.error == 0);
  REQUIRE(f.params.size() == 1);
  CHECK(f.params[0]->codec_id == AV_CODEC_ID_HEVC);
  CHECK(f.params[0]->codec_tag == MKTAG('h', 'v', 'c', '1'));
  CHECK((f.params[0]->width == 854 && f.params[0]->height == 480));
  CHECK(Bytes(f.params[0]->extradata, f.params[0]->extradata + f.params[0]->extradata_size) ==
        record);
  auto video = of_stream(f, 0);
  REQUIRE(video.size() == 10);
  CHECK(video[0].key);
  CHECK_FALSE(video[1].key);
  CHECK(video[9].dts_ms == 360);
}

TEST_CASE("mp4 writer: an audio-only stream starts at its first frame") {
  Bytes buf;
  Mp4Writer w(&buf);
  REQUIRE(w.on_audio(500, ts::aac_sequence_header()));
  for (uint32_t t = 500; t <= 1500; t += 20) REQUIRE(w.on_audio(t, ts::aac_frame(30)));
  REQUIRE(w.finish_file());
  ReadFile f = read_mp4(buf);
  REQUIRE(f.params.size() == 1);
  CHECK(f.params[0]->codec_id == AV_CODEC_ID_AAC);
  auto audio = of_stream(f, 0);
  REQUIRE(audio.size() == 51);
  CHECK(audio.back().dts_ms == 1000);
}

TEST_CASE("mp4 writer: codecs MP4 recording does not take are errors that name them") {
  Bytes buf;
  Mp4Writer mp3(&buf);
  CHECK_FALSE(mp3.on_audio(0, Bytes{0x2f, 0xff, 0xfb, 0x90, 0x00}));
  CHECK(mp3.error() == "MP4 recording takes AAC audio, not MP3");
  Mp4Writer vp6(&buf);
  CHECK_FALSE(vp6.on_video(0, Bytes{0x14, 0x00, 0x01, 0x02}));
  CHECK(vp6.error() ==
        "MP4 recording takes H.264 or HEVC video, not a legacy FLV codec (H.263, Screen, VP6)");
  CHECK_FALSE(vp6.started());
}

TEST_CASE("mp4 writer: a changed sequence header needs a new file; the same one does not") {
  Muxer m;
  m.headers(0);
  m.media(0, 500, 1000);
  REQUIRE(m.ok);
  auto record = [](MediaKind kind, const Bytes& body) { return MediaRecord{kind, 600, body}; };
  CHECK_FALSE(m.w.needs_new_file(record(MediaKind::kVideo, ts::avc_sequence_header())));
  CHECK_FALSE(m.w.needs_new_file(record(MediaKind::kAudio, ts::aac_sequence_header())));
  CHECK_FALSE(m.w.needs_new_file(record(MediaKind::kVideo, ts::avc_frame(true))));
  Bytes mono = {0xaf, 0x00, 0x12, 0x08};
  CHECK(m.w.needs_new_file(record(MediaKind::kAudio, mono)));
  Bytes other = ts::avc_sequence_header();
  other.back() ^= 1;
  CHECK(m.w.needs_new_file(record(MediaKind::kVideo, other)));
  // The next file, after the cut, starts at the next keyframe with the new configuration.
  REQUIRE(m.w.finish_file());
  m.w.begin_file();
  m.buf.clear();
  REQUIRE(m.w.on_audio(600, mono));
  CHECK_FALSE(m.w.started());
  m.media(600, 1200, 600);
  REQUIRE(m.ok);
  Bytes second = m.finish();
  ReadFile f = read_mp4(second);
  REQUIRE(f.params.size() == 2);
  CHECK(f.params[1]->ch_layout.nb_channels == 1);
  CHECK(of_stream(f, 0).front().dts_ms == 0);
}
