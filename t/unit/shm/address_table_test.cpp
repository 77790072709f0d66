// AddressTable: connections per address, kept by the client table (claim,
// release, and the master's free of a dead worker's entries).
#include "shm/address_table.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "shm/clients.hpp"
#include "t/unit/shm/control_fixture.hpp"

using srs::shm::AddressTable;
using srs::shm::Atomic32;

namespace {

struct Table {
  std::vector<Atomic32> words;
  AddressTable table;
  explicit Table(uint32_t n) : words(n), table(words.data(), n) {}
};

std::string ip_of(int i) {
  return "10." + std::to_string(i / 65536) + "." + std::to_string((i / 256) % 256) + "." +
         std::to_string(i % 256);
}

srs::base::ContextId cid(int i) {
  srs::base::ContextId id;
  snprintf(id.text, sizeof(id.text), "c%07d", i);
  return id;
}

}  // namespace

TEST_CASE("AddressTable: counts each address apart, never below zero") {
  Table t(1024);
  CHECK(t.table.acquire("10.0.0.1"));
  CHECK(t.table.acquire("10.0.0.1"));
  CHECK(t.table.acquire("2001:db8::1"));
  CHECK(t.table.count("10.0.0.1") == 2);
  CHECK(t.table.count("2001:db8::1") == 1);
  CHECK(t.table.count("10.0.0.2") == 0);
  t.table.release("10.0.0.1");
  t.table.release("10.0.0.1");
  t.table.release("10.0.0.1");  // one too many: stays at zero
  CHECK(t.table.count("10.0.0.1") == 0);
  CHECK(t.table.count("2001:db8::1") == 1);
}

TEST_CASE("AddressTable: half full of addresses, every one counted; emptied words are reused") {
  Table t(AddressTable::words_for(4096));
  REQUIRE(AddressTable::words_for(4096) == 8192);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4096; ++i) REQUIRE(t.table.acquire(ip_of(round * 4096 + i)));
    for (int i = 0; i < 4096; ++i) REQUIRE(t.table.count(ip_of(round * 4096 + i)) == 1);
    for (int i = 0; i < 4096; ++i) t.table.release(ip_of(round * 4096 + i));
    for (int i = 0; i < 4096; ++i) REQUIRE(t.table.count(ip_of(round * 4096 + i)) == 0);
  }
}

TEST_CASE("AddressTable: threads racing on the same addresses leave exact counts") {
  Table t(1024);
  constexpr int kThreads = 4, kRounds = 20000;
  std::vector<std::thread> threads;
  for (int n = 0; n < kThreads; ++n) {
    threads.emplace_back([&t, n] {
      for (int r = 0; r < kRounds; ++r) {
        const std::string ip = ip_of((r + n) % 8);
        if (t.table.acquire(ip)) t.table.release(ip);
      }
      t.table.acquire(ip_of(100 + n % 2));  // each thread keeps one
    });
  }
  for (auto& th : threads) th.join();
  for (int i = 0; i < 8; ++i) CHECK(t.table.count(ip_of(i)) == 0);
  CHECK(t.table.count(ip_of(100)) == kThreads / 2);
  CHECK(t.table.count(ip_of(101)) == kThreads / 2);
}

TEST_CASE("ClientTable keeps the address counts: claim, release, a dead worker's entries") {
  auto c = srs::test::make_control();
  auto& clients = c.clients();
  auto a = clients.claim({1, 100}, srs::shm::ClientType::kUnknown, cid(1), "10.1.1.1", 0);
  auto b = clients.claim({2, 200}, srs::shm::ClientType::kUnknown, cid(2), "10.1.1.1", 0);
  auto d = clients.claim({2, 200}, srs::shm::ClientType::kUnknown, cid(3), "10.1.1.1", 0);
  REQUIRE(a.is_ok());
  REQUIRE(b.is_ok());
  REQUIRE(d.is_ok());
  CHECK(clients.connections_from("10.1.1.1") == 3);
  CHECK(c.addresses().count("10.1.1.1") == 3);
  REQUIRE(clients.release(*a).is_ok());
  CHECK(clients.connections_from("10.1.1.1") == 2);
  CHECK(clients.free_owned_by(uint64_t{1} << 2) == 2);  // worker 2 died
  CHECK(clients.connections_from("10.1.1.1") == 0);
}
