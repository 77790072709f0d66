// Segment: named shared memory created here, opened by another process, unlinked.
#include "shm/segment.hpp"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "t/unit/shm/control_fixture.hpp"

using srs::base::Errc;
using srs::shm::InstanceId;
using srs::shm::Segment;
using srs::shm::segment_name;

namespace {
InstanceId test_instance() {
  InstanceId id = InstanceId::generate();
  id.random ^= 0x5a5a0000u;  // not the instance of a real server on this machine
  return id;
}
}  // namespace

TEST_CASE("segment names carry the instance, the slot and the epoch") {
  const InstanceId id{0x9f3a11c2u, 4804, 1};
  CHECK(std::string(segment_name(id, 7, 12).c_str()) == "/srs.4804.9f3a11c2.7.12");
  CHECK(std::string(segment_name(id, 7, 0xFFFFFFFFu).c_str()) == "/srs.4804.9f3a11c2.7.4294967295");
  const InstanceId a = InstanceId::generate();
  CHECK(a.master_pid == static_cast<uint32_t>(getpid()));
  CHECK(a.started_at > 0);
}

TEST_CASE("a segment created here is seen by another process, then unlinked") {
  const auto name = segment_name(test_instance(), 3, 1);
  auto seg = Segment::create(name, 1 << 16);
  REQUIRE(seg.is_ok());
  CHECK(seg->size() == (1u << 16));
  auto* bytes = static_cast<unsigned char*>(seg->data());
  CHECK(bytes[100] == 0);  // zero-filled
  memcpy(bytes, "hello", 5);

  CHECK(Segment::create(name, 4096).status().code() == Errc::kExists);

  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    auto other = Segment::open(name);
    if (!other.is_ok() || other->size() != (1u << 16)) _exit(2);
    auto* b = static_cast<unsigned char*>(other->data());
    if (memcmp(b, "hello", 5) != 0) _exit(3);
    memcpy(b + 8, "world", 5);
    _exit(0);
  }
  CHECK(srs::test::wait_child(pid) == 0);
  CHECK(memcmp(bytes + 8, "world", 5) == 0);

  CHECK(Segment::unlink(name).is_ok());
  CHECK(Segment::open(name).status().code() == Errc::kNotFound);
  CHECK(Segment::unlink(name).code() == Errc::kNotFound);
  // The mapping outlives the name.
  CHECK(memcmp(bytes, "hello", 5) == 0);
}

TEST_CASE("segment creation errors are clear") {
  const auto name = segment_name(test_instance(), 4, 1);
  CHECK(Segment::create(name, 0).status().code() == Errc::kInvalid);
  // Far more than /dev/shm can hold: posix_fallocate reports it now. (A
  // 32-bit size cannot say it: there, 4 GiB may well fit the host's /dev/shm.)
  constexpr uint64_t kHuge = uint64_t{1} << 50;
  if (kHuge <= SIZE_MAX) {
    auto huge = Segment::create(name, static_cast<std::size_t>(kHuge));
    REQUIRE_FALSE(huge.is_ok());
    CHECK(huge.status().code() == Errc::kSystem);
    CHECK((huge.status().sys_errno() == ENOSPC || huge.status().sys_errno() == EFBIG));
  }
  // Nothing left behind.
  CHECK(Segment::open(name).status().code() == Errc::kNotFound);
}

TEST_CASE("remove_instance_segments removes only that instance's segments") {
  const InstanceId mine = test_instance();
  InstanceId other = mine;
  other.random ^= 1;
  auto a = Segment::create(segment_name(mine, 1, 1), 4096);
  auto b = Segment::create(segment_name(mine, 2, 9), 4096);
  auto c = Segment::create(segment_name(other, 1, 1), 4096);
  REQUIRE((a.is_ok() && b.is_ok() && c.is_ok()));
  CHECK(srs::shm::remove_instance_segments(mine) == 2);
  CHECK(Segment::open(segment_name(mine, 1, 1)).status().code() == Errc::kNotFound);
  CHECK(Segment::open(segment_name(other, 1, 1)).is_ok());
  CHECK(srs::shm::remove_instance_segments(other) == 1);
}
