// AddressTable: how many connections each client address holds, for the
// whole server (rtmp.max_connections_per_ip). The client table keeps it: an
// entry that becomes Active adds its address, one that is released or
// freed for a dead worker takes it away, so a worker's death leaves no
// count behind.
//
// A fixed open-addressing table of 32-bit words, {tag: 16, count: 16}, that
// every worker updates with compare-and-swap (32-bit atomics only: MIPS32
// has no lock-free 64-bit ones). An address hashes to a home slot and a
// 16-bit tag (never 0); a word of 0 was never used and ends a probe; a
// tagged word whose count fell to 0 is reused by the next address that
// probes it. Two addresses share a count only when they share the home
// region and the tag. Two first connections of one address racing on two
// workers may make two words for it: count() sums them all, release()
// takes from the first, so the figures stay right.
//
// Sized at twice the client table, rounded up to a power of two: the
// addresses in use never fill more than half of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shm/atomics.hpp"

namespace srs::shm {

class AddressTable {
 public:
  static constexpr uint32_t kMaxProbe = 64;
  static constexpr uint32_t kMaxCount = 0xFFFF;

  // Words for a client table of `max_clients` entries (a power of two).
  static uint32_t words_for(uint32_t max_clients) noexcept;

  // A view over `count` words of shared memory (copies see the same table);
  // default: no table (acquire() false, count() 0).
  AddressTable() noexcept = default;
  AddressTable(Atomic32* words, uint32_t count) noexcept : words_(words), mask_(count - 1) {}
  bool valid() const noexcept { return words_ != nullptr; }

  // One more connection from `ip`; false when it could not be counted
  // (no free word within kMaxProbe, or kMaxCount reached).
  bool acquire(std::string_view ip) noexcept;
  // One fewer (never below zero).
  void release(std::string_view ip) noexcept;
  // The connections `ip` holds.
  uint32_t count(std::string_view ip) const noexcept;

 private:
  struct Key {
    uint32_t home;
    uint32_t tag;
  };
  Key key_of(std::string_view ip) const noexcept;

  Atomic32* words_ = nullptr;
  uint32_t mask_ = 0;
};

}  // namespace srs::shm
