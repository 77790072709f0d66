// MasterStatus: the reload verdict as a worker reads it, the error text bound,
// the seq wrap, and a reader racing the master never sees a torn status.
#include "shm/master_status.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>

#include "base/clock.hpp"
#include "shm/control.hpp"
#include "t/unit/shm/control_fixture.hpp"

using srs::shm::Control;
using srs::shm::ControlSizes;
using srs::shm::kReloadErrorBytes;
using srs::shm::kTruncatedMarker;
using srs::shm::MasterStatus;
using srs::shm::ReloadState;
using srs::shm::ReloadStatus;

namespace {

ReloadStatus read_status(const MasterStatus& m) {
  ReloadStatus s;
  REQUIRE(m.read(&s));
  return s;
}

}  // namespace

TEST_CASE("a fresh region reports no reload, and the first generation once the master sets it") {
  auto c = Control::create(ControlSizes{4, 4});
  REQUIRE(c.is_ok());
  ReloadStatus s = read_status(c->master_status());
  CHECK(s.seq == 0);
  CHECK(s.state == ReloadState::kIdle);
  CHECK(s.finished_at == 0);
  CHECK(s.error_text().empty());
  c->master_status().set_generation(1);
  CHECK(read_status(c->master_status()).generation == 1);
  CHECK(std::string(srs::shm::reload_state_name(ReloadState::kInProgress)) == "in progress");
}

TEST_CASE("a reload goes in progress, then succeeds with the new generation serving") {
  auto c = Control::create(ControlSizes{4, 4});
  REQUIRE(c.is_ok());
  MasterStatus& m = c->master_status();
  m.set_generation(1);
  CHECK(m.begin_reload(1000) == 1);
  m.set_pending(2);
  ReloadStatus s = read_status(m);
  CHECK(s.seq == 1);
  CHECK(s.state == ReloadState::kInProgress);
  CHECK(s.pending == 2);
  CHECK(s.generation == 1);
  CHECK(s.started_at == 1000);
  m.succeed(2, 1003);
  s = read_status(m);
  CHECK(s.state == ReloadState::kSucceeded);
  CHECK(s.generation == 2);
  CHECK(s.pending == 0);
  CHECK(s.reloads_ok == 1);
  CHECK(s.reloads_failed == 0);
  CHECK(s.finished_at == 1003);
}

TEST_CASE("a failed reload keeps the generation and publishes the errors; a success clears them") {
  auto c = Control::create(ControlSizes{4, 4});
  REQUIRE(c.is_ok());
  MasterStatus& m = c->master_status();
  m.set_generation(3);
  (void)m.begin_reload(50);
  const std::string errors =
      "/etc/srs.yaml:4:3: rtmp.chunk_size: expected 128..65536, got 5\n"
      "/etc/srs.yaml:9:1: unknown key \"vhostz\"";
  m.fail(errors, 51);
  ReloadStatus s = read_status(m);
  CHECK(s.state == ReloadState::kFailed);
  CHECK(s.generation == 3);
  CHECK(s.reloads_failed == 1);
  CHECK(s.error_text() == errors);
  (void)m.begin_reload(60);
  m.succeed(4, 61);
  s = read_status(m);
  CHECK(s.seq == 2);
  CHECK(s.error_text().empty());
  CHECK(s.reloads_ok == 1);
  CHECK(s.reloads_failed == 1);
}

TEST_CASE("error text longer than the bound is cut with a marker, never inside a UTF-8 character") {
  std::string long_text;
  while (long_text.size() < 2 * kReloadErrorBytes) long_text += "f.yaml:1:1: caf\xc3\xa9 ";
  char out[kReloadErrorBytes];
  const std::size_t n = srs::shm::clip_error_text(long_text, out);
  REQUIRE(n < kReloadErrorBytes);
  const std::string_view got(out, n);
  CHECK(got.substr(got.size() - kTruncatedMarker.size()) == kTruncatedMarker);
  const std::string_view kept = got.substr(0, got.size() - kTruncatedMarker.size());
  CHECK(long_text.compare(0, kept.size(), kept) == 0);
  CHECK((static_cast<unsigned char>(long_text[kept.size()]) & 0xC0) != 0x80);

  auto c = Control::create(ControlSizes{4, 4});
  REQUIRE(c.is_ok());
  c->master_status().fail(long_text, 1);
  CHECK(read_status(c->master_status()).error_text() == got);

  const std::string exact(kReloadErrorBytes - 1, 'x');  // fits exactly: not cut
  CHECK(srs::shm::clip_error_text(exact, out) == exact.size());
}

TEST_CASE("the reload sequence wraps past 2^32 and is still told apart") {
  auto c = Control::create(ControlSizes{4, 4});
  REQUIRE(c.is_ok());
  auto* base = reinterpret_cast<unsigned char*>(const_cast<srs::shm::ControlHeader*>(&c->header()));
  auto* block = static_cast<srs::shm::MasterStatusBlock*>(
      static_cast<void*>(base + c->header().fixed.status_offset));
  block->seq.store(srs::test::kNearWrap, std::memory_order_relaxed);
  block->seqlock.store(srs::test::kNearWrap, std::memory_order_relaxed);  // even: stable
  MasterStatus& m = c->master_status();
  uint32_t last = read_status(m).seq;
  for (int i = 0; i < 8; ++i) {
    const uint32_t now = m.begin_reload(uint32_t(i));
    m.succeed(uint32_t(i + 2), uint32_t(i));
    CHECK(now != last);
    CHECK(srs::shm::seq_before(last, now));
    CHECK(read_status(m).seq == now);
    last = now;
  }
  CHECK(last < 8);  // it wrapped
}

TEST_CASE("a reader racing the master never sees a torn status") {
  auto c = Control::create(ControlSizes{4, 4});
  REQUIRE(c.is_ok());
  MasterStatus& m = c->master_status();
  std::atomic<bool> done{false};
  std::atomic<int> bad{0}, good{0};
  std::thread reader([&] {
    ReloadStatus s;
    while (!done.load()) {
      if (!m.read(&s)) continue;
      // Each failure writes "gen N" with N = finished_at; each success clears the text.
      const std::string want = "gen " + std::to_string(s.finished_at);
      const bool failed = s.state == ReloadState::kFailed && s.error_text() == want;
      const bool ok = s.state == ReloadState::kSucceeded && s.error_text().empty() &&
                      s.generation == s.finished_at;
      const bool fresh = s.state == ReloadState::kIdle || s.state == ReloadState::kInProgress;
      (failed || ok || fresh) ? good.fetch_add(1) : bad.fetch_add(1);
    }
  });
  const int64_t deadline = srs::base::mono_ms() + 5000;
  for (uint32_t i = 1; (i < 20000 || good.load() < 200) && srs::base::mono_ms() < deadline; ++i) {
    (void)m.begin_reload(i);
    if (i & 1) {
      m.fail("gen " + std::to_string(i), i);
    } else {
      m.succeed(i, i);
    }
    if (i % 16 == 0) std::this_thread::yield();
  }
  done = true;
  reader.join();
  CHECK(bad.load() == 0);
  CHECK(good.load() > 0);
}
