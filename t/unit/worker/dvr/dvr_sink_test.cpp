// DvrSink writing real files into a temporary folder, as the output thread
// drives it: the file under its final name once closed (never a .tmp left),
// FLV header + metadata (its duration set to the file's) + sequence headers
// + media, the "closed" log line and the on_dvr callback through the
// mailbox; an unwritable path gives one error and no file; the segment plan
// cuts at the first keyframe once dvr.duration has passed.
#include "worker/dvr/dvr_sink.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "proto/flv/tag_reader.hpp"
#include "shm/control.hpp"
#include "t/unit/proto/flv/media_file.hpp"
#include "t/unit/worker/ring_fixture.hpp"
#include "t/unit/worker/temp_dir.hpp"

using namespace srs;
using srs::proto::flv::TagType;
using srs::test::OwnedTag;
using srs::worker::DvrSink;
using srs::worker::MediaKind;
using srs::worker::MediaRecord;
using srs::worker::OutputNote;

namespace {

struct FakeMailbox final : worker::Mailbox {
  std::vector<OutputNote> notes;
  void post(OutputNote note) override { notes.push_back(std::move(note)); }
  size_t count(base::LogLevel level) const {
    size_t n = 0;
    for (const auto& x : notes) n += !x.notify && x.level == level;
    return n;
  }
};

std::vector<OwnedTag> tags_of(const std::vector<uint8_t>& file) {
  base::Status status;
  const size_t whole[] = {file.size()};
  auto tags = test::read_tags(file, whole, &status, {.strict_previous_size = true});
  CHECK(status.is_ok());
  return tags;
}

worker::HookInfo source() {
  worker::HookInfo s;
  s.client_id = "pub00007";
  s.ip = "10.0.0.9";
  s.app = "live";
  s.stream = "cam";
  s.tc_url = "rtmp://127.0.0.1/live";
  return s;
}

conf::VhostConfig dvr_vhost(const std::string& path) {
  conf::VhostConfig v;
  v.name = conf::kDefaultVhost;
  v.dvr.enabled = true;
  v.dvr.path = path;
  return v;
}

void give(DvrSink& sink, MediaKind kind, uint32_t ts, const std::vector<uint8_t>& body) {
  sink.on_record(MediaRecord{kind, ts, body}, 0);
}

// Metadata, sequence headers, then 25 fps video (5,000-byte frames, a
// keyframe every `gop_ms`) and audio every 20 ms, over [from, to].
void give_stream(DvrSink& sink, uint32_t from, uint32_t to, uint32_t gop_ms, bool headers = true,
                 void (*before_keyframe)() = nullptr) {
  if (headers) {
    give(sink, MediaKind::kMetadata, from, test::metadata_body(0));
    give(sink, MediaKind::kVideo, from, test::avc_sequence_header());
    give(sink, MediaKind::kAudio, from, test::aac_sequence_header());
  }
  for (uint32_t t = from; t <= to; t += 20) {
    if (t % 40 == 0) {
      bool key = (t - from) % gop_ms == 0;
      if (key && before_keyframe) before_keyframe();
      give(sink, MediaKind::kVideo, t, test::avc_frame(key, 0, 5000));
    }
    give(sink, MediaKind::kAudio, t, test::aac_frame(30));
  }
}

// Files named by [timestamp] must not open within one millisecond.
void next_millisecond() {
  for (int64_t t0 = base::wall_ms(); base::wall_ms() == t0;) {
  }
}

}  // namespace

TEST_CASE("dvr: a session file under its final name, starting with the header and metadata") {
  test::TempDir tmp;
  conf::VhostConfig vhost = dvr_vhost(tmp.path + "/rec/[app]/[stream].flv");
  FakeMailbox mb;
  {
    DvrSink sink(vhost, source(), mb);
    give_stream(sink, 1000, 3000, 1000);  // 2 s of media, 250 KB: written in several flushes
    CHECK(test::files_in(tmp.path) == std::vector<std::string>{"rec/live/cam.flv.tmp"});
    sink.on_finish(0);
    CHECK_FALSE(sink.failed());
  }
  const std::string path = tmp.path + "/rec/live/cam.flv";
  CHECK(test::files_in(tmp.path) == std::vector<std::string>{"rec/live/cam.flv"});
  auto file = test::read_bytes(path);
  REQUIRE(file.size() > 13);
  const uint8_t start[] = {'F', 'L', 'V', 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0};
  CHECK(std::equal(std::begin(start), std::end(start), file.begin()));
  auto tags = tags_of(file);
  REQUIRE(tags.size() > 4);
  // The metadata, with the file's own duration (2 s) in place of the stream's 0.
  CHECK(tags[0] == OwnedTag{TagType::kScript, 0, test::metadata_body(2.0)});
  CHECK(tags[1] == OwnedTag{TagType::kVideo, 0, test::avc_sequence_header()});
  CHECK(tags[2] == OwnedTag{TagType::kAudio, 0, test::aac_sequence_header()});
  CHECK(tags[3] == OwnedTag{TagType::kVideo, 0, test::avc_frame(true, 0, 5000)});
  CHECK(tags.back().timestamp == 2000);
  size_t video = 0;
  for (const auto& t : tags) video += t.type == TagType::kVideo;
  CHECK(video == 1 + 51);  // the header, then 25 fps over [0, 2000]

  // The log lines: where it records, then the closed file with its size.
  REQUIRE(mb.notes.size() == 2);
  CHECK(mb.notes[0].text == "dvr __defaultVhost__/live/cam: recording to " + path + ".tmp");
  CHECK(mb.notes[1].text == "dvr __defaultVhost__/live/cam: closed " + path + ", 2.000 s, " +
                                std::to_string(file.size()) + " bytes");
  CHECK(mb.notes[1].cid == "pub00007");
  CHECK_FALSE(mb.notes[1].notify);  // no on_dvr configured
}

TEST_CASE("dvr: a vhost with an on_dvr URL gets the callback note after the close") {
  test::TempDir tmp;
  conf::VhostConfig vhost = dvr_vhost(tmp.path + "/[stream].flv");
  vhost.http_hooks.enabled = true;
  conf::HookUrl url;
  REQUIRE(conf::parse_hook_url("http://127.0.0.1:8085/api/v1/dvrs", &url).empty());
  vhost.http_hooks.on_dvr.push_back(url);
  FakeMailbox mb;
  DvrSink sink(vhost, source(), mb);
  give_stream(sink, 0, 400, 1000);
  sink.on_finish(0);
  REQUIRE(mb.notes.size() == 3);
  CHECK(mb.notes[1].text.find(": closed " + tmp.path + "/cam.flv, ") != std::string::npos);
  const OutputNote& n = mb.notes[2];
  CHECK(n.notify);
  CHECK(n.hook == worker::HookEvent::kDvr);
  CHECK(n.vhost == &vhost);
  CHECK(n.info.file == tmp.path + "/cam.flv");
  CHECK(n.info.vhost == "__defaultVhost__");
  CHECK(n.info.app == "live");
  CHECK(n.info.stream == "cam");
  CHECK(n.info.client_id == "pub00007");
  CHECK_FALSE(n.info.cwd.empty());
  CHECK(test::files_in(tmp.path) == std::vector<std::string>{"cam.flv"});
}

TEST_CASE("dvr: an unwritable path gives one error note and no file") {
  test::TempDir tmp;
  { std::ofstream(tmp.path + "/blocker") << "a file where a folder should be"; }
  for (const char* tail : {"/blocker/[stream].flv", "/blocker/sub/[stream].flv"}) {
    CAPTURE(tail);
    conf::VhostConfig vhost = dvr_vhost(tmp.path + tail);
    vhost.http_hooks.enabled = true;
    conf::HookUrl url;
    REQUIRE(conf::parse_hook_url("http://127.0.0.1:8085/dvr", &url).empty());
    vhost.http_hooks.on_dvr.push_back(url);
    FakeMailbox mb;
    {
      DvrSink sink(vhost, source(), mb);
      give_stream(sink, 0, 1000, 400);
      CHECK(sink.failed());
      sink.on_gap(500, 0);  // nothing more is said about a stopped recording
      give_stream(sink, 1200, 2000, 400, false);
      sink.on_finish(0);
    }
    REQUIRE(mb.notes.size() == 1);
    CHECK(mb.notes[0].level == base::LogLevel::kError);
    CHECK(mb.notes[0].text.find("dvr __defaultVhost__/live/cam: ") == 0);
    CHECK(mb.notes[0].text.find(tmp.path + "/blocker/") != std::string::npos);
    CHECK(mb.notes[0].text.find("(20: Not a directory); recording of this stream stopped") !=
          std::string::npos);
    CHECK(mb.notes[0].cid == "pub00007");
    CHECK(test::files_in(tmp.path) == std::vector<std::string>{"blocker"});
  }
}

TEST_CASE("dvr: the segment plan cuts at the first keyframe once dvr.duration has passed") {
  test::TempDir tmp;
  conf::VhostConfig vhost = dvr_vhost(tmp.path + "/[stream].[timestamp].flv");
  vhost.dvr.plan = conf::DvrPlan::kSegment;
  vhost.dvr.duration = conf::Duration(1000);
  FakeMailbox mb;
  {
    DvrSink sink(vhost, source(), mb);
    // Keyframes every 400 ms: cuts at 1200 (not 800) and 2400; the last file ends at 2600.
    give_stream(sink, 0, 2600, 400, true, next_millisecond);
    sink.on_gap(0, 0);  // a gap is logged with the file that goes on
    sink.on_finish(0);
  }
  auto files = test::files_in(tmp.path);
  REQUIRE(files.size() == 3);
  size_t closed = 0;
  for (const auto& n : mb.notes) closed += n.text.find(": closed ") != std::string::npos;
  CHECK(closed == 3);
  CHECK(mb.count(base::LogLevel::kError) == 0);
  CHECK(mb.count(base::LogLevel::kWarn) == 1);

  const uint32_t durations[] = {1180, 1180, 200};  // the last tag of each file, rebased
  for (size_t i = 0; i < 3; ++i) {
    CAPTURE(files[i]);
    CHECK(files[i].ends_with(".flv"));
    auto tags = tags_of(test::read_bytes(tmp.path + "/" + files[i]));
    REQUIRE(tags.size() > 4);
    // Every file plays on its own: metadata and sequence headers, then a keyframe at 0.
    CHECK(tags[0].type == TagType::kScript);
    CHECK(tags[0].body == test::metadata_body(durations[i] / 1000.0));
    CHECK(tags[1] == OwnedTag{TagType::kVideo, 0, test::avc_sequence_header()});
    CHECK(tags[2] == OwnedTag{TagType::kAudio, 0, test::aac_sequence_header()});
    CHECK(tags[3] == OwnedTag{TagType::kVideo, 0, test::avc_frame(true, 0, 5000)});
    CHECK(tags.back().timestamp == durations[i]);
    size_t keyframes = 0;
    for (const auto& t : tags)
      keyframes += t.type == TagType::kVideo && t.body[0] == 0x17 && t.body.size() > 100;
    CHECK(keyframes == (i < 2 ? 3u : 1u));  // 0, 400, 800 of each full segment
  }
}

TEST_CASE("dvr: an .mp4 path records MP4 through the same plan: .tmp, rename, log, on_dvr") {
  test::TempDir tmp;
  conf::VhostConfig vhost = dvr_vhost(tmp.path + "/rec/[app]/[stream].mp4");
  vhost.http_hooks.enabled = true;
  conf::HookUrl url;
  REQUIRE(conf::parse_hook_url("http://127.0.0.1:8085/dvr", &url).empty());
  vhost.http_hooks.on_dvr.push_back(url);
  const std::string path = tmp.path + "/rec/live/cam.mp4";
  FakeMailbox mb;
  {
    DvrSink sink(vhost, source(), mb);
    give_stream(sink, 1000, 2000, 1000);
    // Fragments reach the disk as they complete (1 s each): the .tmp already holds one.
    CHECK(test::files_in(tmp.path) == std::vector<std::string>{"rec/live/cam.mp4.tmp"});
    auto partial = test::read_bytes(path + ".tmp");
    CHECK(partial.size() > 25 * 5000);
    CHECK(std::string(partial.begin() + 4, partial.begin() + 8) == "ftyp");
    give_stream(sink, 2020, 3000, 1000, false);
    sink.on_finish(0);
    CHECK_FALSE(sink.failed());
  }
  CHECK(test::files_in(tmp.path) == std::vector<std::string>{"rec/live/cam.mp4"});
  auto file = test::read_bytes(path);
  // The file ends with the index a clean close writes: mfra, whose last box is mfro.
  REQUIRE(file.size() > 16);
  CHECK(std::string(file.end() - 12, file.end() - 8) == "mfro");
  REQUIRE(mb.notes.size() == 3);
  CHECK(mb.notes[0].text == "dvr __defaultVhost__/live/cam: recording to " + path + ".tmp");
  CHECK(mb.notes[1].text == "dvr __defaultVhost__/live/cam: closed " + path + ", 2.000 s, " +
                                std::to_string(file.size()) + " bytes");
  CHECK(mb.notes[2].notify);
  CHECK(mb.notes[2].info.file == path);
}

TEST_CASE("dvr: a codec MP4 cannot hold stops that recording with one error naming it") {
  test::TempDir tmp;
  conf::VhostConfig vhost = dvr_vhost(tmp.path + "/[stream].mp4");
  FakeMailbox mb;
  {
    DvrSink sink(vhost, source(), mb);
    give_stream(sink, 0, 1000, 500);  // the file is open and being written
    give(sink, MediaKind::kAudio, 1020, {0x2f, 0xff, 0xfb, 0x90, 0x00});  // MP3
    CHECK(sink.failed());
    give_stream(sink, 1040, 2000, 500, false);
    sink.on_finish(0);
  }
  REQUIRE(mb.notes.size() == 2);
  CHECK(mb.notes[1].level == base::LogLevel::kError);
  CHECK(mb.notes[1].text ==
        "dvr __defaultVhost__/live/cam: MP4 recording takes AAC audio, not "
        "MP3 while recording to " +
            tmp.path + "/cam.mp4.tmp; recording of this stream stopped");
  CHECK(test::files_in(tmp.path).empty());  // the partial file goes
}

TEST_CASE("dvr: the factory records the streams dvr.apply names, all when it is absent") {
  conf::VhostConfig vhost = dvr_vhost("/nonexistent/[stream].flv");
  FakeMailbox mb;
  worker::DvrFactory factory;
  auto made = [&](const char* app, const char* stream) {
    worker::PublishEvent e;
    e.vhost = &vhost;
    e.source = source();
    e.source.app = app;
    e.source.stream = stream;
    return factory.make(e, mb) != nullptr;
  };
  CHECK(made("live", "cam"));
  CHECK(made("other", "x"));
  // (Without a registry: only what the configuration records; with one,
  // every publish has an idle sink the API may wake: the test below.)
  vhost.dvr.apply = {{"live", "cam"}, {"vod", "*"}};
  CHECK(made("live", "cam"));
  CHECK_FALSE(made("live", "cam2"));
  CHECK(made("vod", "x"));
  CHECK_FALSE(made("other", "cam"));
  vhost.dvr.enabled = false;
  CHECK_FALSE(made("live", "cam"));
  CHECK(mb.notes.empty());  // making a sink does no I/O
}

TEST_CASE("dvr: the API starts and stops the recording of a stream the configuration leaves out") {
  test::TempDir tmp;
  conf::VhostConfig vhost = dvr_vhost(tmp.path + "/[stream].flv");
  vhost.dvr.enabled = false;
  auto control = shm::Control::create(shm::ControlSizes{4, 4});
  REQUIRE(control.is_ok());
  shm::Registry& reg = control->registry();
  auto ref = reg.publish("__defaultVhost__/live/cam", shm::Owner{0, 1});
  REQUIRE(ref.is_ok());
  FakeMailbox mb;
  worker::DvrFactory factory(&reg);
  worker::PublishEvent e;
  e.vhost = &vhost;
  e.source = source();
  e.stream_slot = ref->slot;
  e.generation = ref->generation;
  auto made = factory.make(e, mb);  // made for every publish, idle until asked
  REQUIRE(made != nullptr);
  auto& sink = static_cast<DvrSink&>(*made);
  CHECK(sink.idle());
  give_stream(sink, 0, 1000, 1000);  // an idle sink records nothing it is given
  CHECK(test::files_in(tmp.path).empty());

  reg.request_dvr(ref->slot, ref->generation, shm::DvrRequest::kStart);
  sink.on_tick(0);
  CHECK_FALSE(sink.idle());
  give_stream(sink, 2000, 3000, 1000);
  CHECK(test::files_in(tmp.path) == std::vector<std::string>{"cam.flv.tmp"});
  shm::StreamInfo info;
  REQUIRE(reg.read(ref->slot, &info));
  CHECK(info.dvr_recording);
  CHECK(info.dvr_request == shm::DvrRequest::kStart);

  reg.request_dvr(ref->slot, ref->generation, shm::DvrRequest::kStop);
  sink.on_tick(0);
  CHECK(sink.idle());
  CHECK(test::files_in(tmp.path) == std::vector<std::string>{"cam.flv"});  // closed, renamed
  REQUIRE(reg.read(ref->slot, &info));
  CHECK_FALSE(info.dvr_recording);
  std::string said;
  for (const auto& n : mb.notes) said += n.text + "\n";
  CHECK(said.find("recording started by the API") != std::string::npos);
  CHECK(said.find("recording stopped by the API") != std::string::npos);

  // A request is for its generation: a republish starts from the configuration.
  CHECK(reg.dvr_request(ref->slot, ref->generation + 1) == shm::DvrRequest::kNone);
}

TEST_CASE("dvr: the API stops a configured recording; the configuration's file closes") {
  test::TempDir tmp;
  conf::VhostConfig vhost = dvr_vhost(tmp.path + "/[stream].flv");
  auto control = shm::Control::create(shm::ControlSizes{4, 4});
  REQUIRE(control.is_ok());
  shm::Registry& reg = control->registry();
  auto ref = reg.publish("__defaultVhost__/live/cam", shm::Owner{0, 1});
  REQUIRE(ref.is_ok());
  FakeMailbox mb;
  DvrSink sink(vhost, source(), mb, worker::DvrControl{&reg, ref->slot, ref->generation});
  CHECK_FALSE(sink.idle());
  give_stream(sink, 0, 1000, 1000);
  reg.request_dvr(ref->slot, ref->generation, shm::DvrRequest::kStop);
  sink.on_tick(0);
  CHECK(sink.idle());
  CHECK(test::files_in(tmp.path) == std::vector<std::string>{"cam.flv"});
}
