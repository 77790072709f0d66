// The ChildRoom driving real processes: a stand-in for ffmpeg (a shell script
// that writes its arguments and sleeps) and exec commands, against a control
// region whose registry the test publishes into. Time is the test's `now`.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "base/log.hpp"
#include "master/child_room.hpp"

using namespace srs;
using namespace srs::master;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/srs-room-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return path + "/" + name; }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

template <typename Done>
bool eventually(Done done) {
  for (int i = 0; i < 3000; i++) {
    if (done()) return true;
    ::usleep(10000);
  }
  return done();
}

// Everything this test process's children did, handed to the supervisor.
void reap(ChildSupervisor& sup, int64_t now) {
  int status = 0;
  for (pid_t pid; (pid = ::waitpid(-1, &status, WNOHANG)) > 0;) (void)sup.on_exit(pid, status, now);
}

std::vector<ChildInfo> of_kind(const ChildSupervisor& sup, shm::ChildKind kind) {
  std::vector<ChildInfo> out;
  for (const ChildInfo& c : sup.list()) {
    if (c.tags.kind == kind) out.push_back(c);
  }
  return out;
}

struct Room {
  TempDir dir;
  std::string saved_log = base::Log::path();
  base::LogLevel saved_level = base::Log::level();
  shm::Control control = std::move(shm::Control::create({8, 8})).value();
  ChildSupervisor sup{200};
  ChildRoom room{&sup, &control};
  int64_t now = 1000;

  Room() {
    REQUIRE(base::Log::open(dir.file("master.log"), base::LogLevel::kInfo).is_ok());
    // The stand-in for ffmpeg: its arguments, one per line, then it waits.
    std::ofstream(dir.file("ffmpeg"))
        << "#!/bin/sh\nfor a; do echo \"$a\"; done > " << dir.path << "/args.$$\nexec sleep 60\n";
    ::chmod(dir.file("ffmpeg").c_str(), 0755);
  }
  ~Room() {
    sup.stop_all(now);
    for (int i = 0; i < 500 && sup.live_count() > 0; i++) {
      ::usleep(10000);
      now += 10;
      sup.run_timers(now);
      reap(sup, now);
    }
    (void)base::Log::open(saved_log, saved_level);
  }

  std::shared_ptr<const conf::Config> config(const std::string& vhost_yaml) {
    std::string yaml = "rtmp: {listen: 19350}\nffmpeg: {program: " + dir.file("ffmpeg") +
                       ", stall_timeout: 2s}\nvhosts:\n  __defaultVhost__:\n" + vhost_yaml;
    conf::LoadResult r = conf::load_text(yaml, "test.yaml");
    INFO(r.error_text());
    REQUIRE(r.ok());
    return std::make_shared<const conf::Config>(*r.config);
  }
  // Half a second later: the room's next tick, after the exits so far.
  void step(int64_t ms = ChildRoom::kTickMs) {
    now += ms;
    reap(sup, now);
    sup.run_timers(now);
    room.tick(now);
  }
  std::string args_of(pid_t pid) {
    std::string text;
    eventually([&] {
      text = read_file(dir.file("args." + std::to_string(pid)));
      return !text.empty();
    });
    return text;
  }
};

const char* kTranscode =
    "    transcode: {enabled: true, engines: {small: {size: 320x180}}}\n"
    "    exec:\n"
    "      on_publish: \"/bin/sh -c 'echo \\\"pub $0\\\" >> $1' [stream] EXECLOG\"\n"
    "      on_unpublish: \"/bin/sh -c 'echo \\\"unpub $0\\\" >> $1' [stream] EXECLOG\"\n";

std::string with_exec_log(const Room& r, std::string yaml) {
  size_t at;
  while ((at = yaml.find("EXECLOG")) != std::string::npos)
    yaml.replace(at, 7, r.dir.file("exec.log"));
  return yaml;
}

}  // namespace

TEST_CASE("child room: a transcode per live stream, exec at its start and end, none of an output") {
  Room r;
  r.room.configure(r.config(with_exec_log(r, kTranscode)), Credentials{}, r.now);
  CHECK(r.sup.list().empty());

  shm::Registry& reg = r.control.registry();
  auto cam = reg.publish("__defaultVhost__/live/cam", shm::Owner{0, 1});
  REQUIRE(cam.is_ok());
  r.step();
  std::vector<ChildInfo> t = of_kind(r.sup, shm::ChildKind::kTranscode);
  REQUIRE(t.size() == 1);
  CHECK(t[0].tags.source == "__defaultVhost__/live/cam");
  CHECK(t[0].tags.output == "__defaultVhost__/live/cam_small");
  std::string args = r.args_of(t[0].pid);
  CHECK(args.find("-i\nrtmp://127.0.0.1:19350/live/cam\n") != std::string::npos);
  CHECK(args.find("-s\n320x180\n") != std::string::npos);
  CHECK(eventually([&] { return read_file(r.dir.file("exec.log")) == "pub cam\n"; }));

  // The transcoder's output goes live: it is not transcoded (no cam_small_small).
  auto out = reg.publish("__defaultVhost__/live/cam_small", shm::Owner{0, 1});
  REQUIRE(out.is_ok());
  r.step();
  CHECK(of_kind(r.sup, shm::ChildKind::kTranscode).size() == 1);

  // The table in shared memory says the same.
  int listed = 0;
  r.control.children().for_each([&](const shm::ChildInfo& c) {
    if (c.kind == shm::ChildKind::kTranscode) {
      ++listed;
      CHECK(std::string(c.output) == "__defaultVhost__/live/cam_small");
      CHECK(c.pid == uint32_t(t[0].pid));
    }
  });
  CHECK(listed == 1);

  // The input ends: its transcode stops. Its output lives on (waiting for a
  // republish) and is still never transcoded.
  REQUIRE(reg.end(*cam).is_ok());
  r.step();
  CHECK(eventually([&] {
    r.step(10);
    return of_kind(r.sup, shm::ChildKind::kTranscode).empty();
  }));
  for (int k = 0; k < 4; k++) r.step();
  CHECK(of_kind(r.sup, shm::ChildKind::kTranscode).empty());
  // Once it ended too, the same name published by someone is a stream like any other.
  REQUIRE(reg.end(*out).is_ok());
  r.step();
  auto again = reg.publish("__defaultVhost__/live/cam_small", shm::Owner{0, 1});
  REQUIRE(again.is_ok());
  r.step();
  CHECK(of_kind(r.sup, shm::ChildKind::kTranscode).size() == 1);
  REQUIRE(reg.end(*again).is_ok());
  std::string execs = read_file(r.dir.file("exec.log"));
  CHECK(execs.find("unpub cam\n") != std::string::npos);
  CHECK(execs.find("unpub cam_small\n") != std::string::npos);
}

TEST_CASE("child room: an output without media is restarted after stall_timeout") {
  Room r;
  r.room.configure(r.config("    ingest: {cam: {input: /dev/null, stream: live/cam}}\n"),
                   Credentials{}, r.now);
  std::vector<ChildInfo> i = of_kind(r.sup, shm::ChildKind::kIngest);
  REQUIRE(i.size() == 1);
  pid_t first = i[0].pid;
  CHECK(r.args_of(first).find("-re\n-i\n/dev/null\n-c\ncopy\n-f\nflv\n"
                              "rtmp://127.0.0.1:19350/live/cam\n") != std::string::npos);
  // It publishes, media flows: no stall while the count moves.
  auto cam = r.control.registry().publish("__defaultVhost__/live/cam", shm::Owner{0, 1});
  REQUIRE(cam.is_ok());
  for (int k = 1; k <= 8; k++) {
    r.control.registry().stats(cam->slot).messages.reset(uint64_t(k) * 100);
    r.step();
  }
  CHECK(of_kind(r.sup, shm::ChildKind::kIngest)[0].pid == first);
  // Then none for longer than 2 s: restarted (SIGTERM now, started again after its exit).
  for (int k = 0; k < 6; k++) r.step();
  CHECK(eventually([&] {
    r.step(10);
    ChildInfo c = of_kind(r.sup, shm::ChildKind::kIngest)[0];
    return c.state == ChildState::kRunning && c.pid != first;
  }));
  CHECK(read_file(r.dir.file("master.log"))
            .find("its output __defaultVhost__/live/cam got no media for 2000 ms; restarting "
                  "it") != std::string::npos);
  shm::ChildTotals totals = r.control.children().totals();
  CHECK(totals.stalls == 1);
  CHECK(totals.restarts >= 1);
}

TEST_CASE("child room: a reload keeps what did not change and replaces what did") {
  Room r;
  const char* two =
      "    ingest:\n"
      "      a: {input: /dev/null, stream: live/a}\n"
      "      b: {input: /dev/null, stream: live/b}\n";
  r.room.configure(r.config(two), Credentials{}, r.now);
  auto pids = [&] {
    std::map<std::string, pid_t> out;
    for (const ChildInfo& c : of_kind(r.sup, shm::ChildKind::kIngest)) out[c.tags.name] = c.pid;
    return out;
  };
  std::map<std::string, pid_t> before = pids();
  REQUIRE(before.size() == 2);
  r.room.configure(r.config(two), Credentials{}, r.now);
  CHECK(pids() == before);
  // a's input changes, b goes: b stops, a is replaced.
  r.room.configure(r.config("    ingest: {a: {input: /dev/zero, stream: live/a}}\n"), Credentials{},
                   r.now);
  CHECK(eventually([&] {
    r.step(10);
    auto now = pids();
    return now.size() == 1 && now.count("a") == 1 && now["a"] != before["a"] && now["a"] > 0;
  }));
  CHECK(r.args_of(pids()["a"]).find("/dev/zero") != std::string::npos);
}
