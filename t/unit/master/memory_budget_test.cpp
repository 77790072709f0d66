// The shared memory a configuration maps, and the refusals when the machine
// cannot hold it (master/memory_budget.hpp).
#include "master/memory_budget.hpp"

#include <doctest/doctest.h>

#include "shm/control.hpp"
#include "shm/ring_layout.hpp"

using namespace srs::master;

namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;

srs::conf::ShmConfig shm_of(uint32_t streams, uint64_t ring, uint32_t clients) {
  srs::conf::ShmConfig c;
  c.max_streams = streams;
  c.ring_bytes = ring;
  c.max_clients = clients;
  return c;
}

}  // namespace

TEST_CASE("shm budget: the tables plus one ring per stream, each ring with its header") {
  const ShmBudget b = shm_budget(shm_of(8, 4 * kMiB, 512));
  CHECK(b.max_streams == 8);
  CHECK(b.ring_bytes == srs::shm::bytes_for(4 << 20));
  CHECK(b.ring_bytes > 4 * kMiB);  // the header and the sticky slots come on top
  CHECK(b.control_bytes == srs::shm::Control::required_size({8, 512}));
  CHECK(b.rings_bytes() == 8 * b.ring_bytes);
  CHECK(b.total_bytes() == b.control_bytes + b.rings_bytes());
  const std::string text = describe(b);
  CHECK(text.find("maps at most ") == 0 + std::string("this configuration ").size());
  CHECK(text.find("8 stream rings of 4.1 MiB in /dev/shm") != std::string::npos);
}

TEST_CASE("shm budget: rings that /dev/shm cannot hold are refused, saying what to change") {
  const ShmBudget b = shm_budget(shm_of(256, 16 * kMiB, 4096));
  CHECK(does_not_fit(b, 64 * 1024 * kMiB, "/dev/shm", 64).empty());
  const std::string why = does_not_fit(b, 256 * kMiB, "/dev/shm", 64);
  CHECK(why.find("256 stream rings of 16.1 MiB need 41") != std::string::npos);
  CHECK(why.find("/dev/shm holds 256.0 MiB") != std::string::npos);
  CHECK(why.find("shm.max_streams") != std::string::npos);
  CHECK(why.find("etc/srs-board.yaml") != std::string::npos);
  // Exactly full is enough.
  CHECK(does_not_fit(b, b.rings_bytes(), "/dev/shm", 64).empty());
  CHECK_FALSE(does_not_fit(b, b.rings_bytes() - 1, "/dev/shm", 64).empty());
}

TEST_CASE("shm budget: a 32-bit process maps at most 2 GiB of it") {
  const ShmBudget big = shm_budget(shm_of(256, 16 * kMiB, 4096));  // > 4 GiB
  const uint64_t roomy = uint64_t{64} << 30;
  CHECK(does_not_fit(big, roomy, "/dev/shm", 64).empty());
  const std::string why = does_not_fit(big, roomy, "/dev/shm", 32);
  CHECK(why.find("32-bit build maps at most 2048.0 MiB") != std::string::npos);
  const ShmBudget board = shm_budget(shm_of(8, 4 * kMiB, 512));
  CHECK(does_not_fit(board, 256 * kMiB, "/dev/shm", 32).empty());
}

TEST_CASE("shm budget: the size of a filesystem, or why not") {
  auto fs = filesystem_bytes("/dev/shm");
  REQUIRE(fs.is_ok());
  CHECK(*fs > 0);
  CHECK_FALSE(filesystem_bytes("/nonexistent-dir").is_ok());
}

TEST_CASE("memory budget: the workers' private memory, from the measured figures") {
  const std::string text = describe_workers(4, 150);
  CHECK(text.find("workers: 4 x (about 5.5 MiB + 10 KiB per connection)") == 0);
  // 4 x (5.5 MiB + 150 x 10 KiB) = 27.9 MiB
  CHECK(text.find("at most about 27.9 MiB with rtmp.max_connections 150") != std::string::npos);
}
