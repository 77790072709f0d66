// ClientTable: every connection of the whole server, for the HTTP API.
//
// `max_clients` entries in the control region. A worker claims a free entry
// for each connection (CAS on the entry's state word), describes it (type,
// context id, peer address, stream), counts its bytes, and releases it when
// the connection closes. Any worker reads every entry to answer
// /api/v1/clients, and any worker can kick a client: it stores the entry's
// incarnation in `kick`, flags the owner worker and rings its doorbell
// (Control::kick_client); the owner checks kicked() for its clients.
//
// Who writes what (each group on its own cache line):
//   ctl     state (CAS: claimer, owner, master's reclaim), incarnation and seq
//           (the claimer/owner), kick (any worker)
//   info    owner only, inside the seqlock `seq` (odd while writing)
//   stream  owner only, inside the same seqlock
//   bytes   owner only (Counter64)
// A reader copies info and stream between two even, equal loads of `seq` and
// two equal loads of the state word, so a snapshot is never torn and never
// mixes two connections that used the same entry (every claim bumps both).
// A dead owner's entries are freed by Control::reclaim_worker().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/log.hpp"
#include "base/status.hpp"
#include "shm/address_table.hpp"
#include "shm/atomics.hpp"
#include "shm/counter.hpp"
#include "shm/registry.hpp"
#include "shm/workers.hpp"

namespace srs::shm {

// SRS's connection types ("fmle-publish" etc.), plus the HTTP deliveries.
enum class ClientType : uint32_t {
  kUnknown = 0,
  kRtmpPlay,
  kFlvPlay,
  kHlsPlay,
  kFmlePublish,
  kFlashPublish,
  kHaivisionPublish,
  kHttpApi,
  kRtmpForward,  // ours, outbound: a forwarder publishing to a destination
  kEdgePull,     // ours, outbound: an edge playing a stream from its origin
};
const char* client_type_name(ClientType type) noexcept;
bool client_type_is_publish(ClientType type) noexcept;

enum class ClientState : uint32_t { kFree = 0, kClaiming, kActive };

inline constexpr uint32_t kIpWords = 12;  // 47 bytes and a NUL: any IPv6 text
inline constexpr uint32_t kIdWords = 3;   // the 8-character context id and a NUL

struct alignas(kCacheLine) ClientEntry {
  struct alignas(kCacheLine) Ctl {
    Atomic32 state{0};        // StateWord{ClientState, owner worker slot, tag}
    Atomic32 incarnation{0};  // +1 per claim, never 0 (wraps past 0)
    Atomic32 kick{0};         // == incarnation: kicked
    Atomic32 seq{0};          // seqlock over info and stream (odd: writing)
  } ctl;
  struct alignas(kCacheLine) Info {
    Atomic32 owner_pid{0};
    Atomic32 type{0};
    Atomic32 started_at{0};   // wall seconds
    Atomic32 stream_slot{0};  // kNoSlot: none yet
    Atomic32 stream_generation{0};
    Atomic32 id[kIdWords];
    Atomic32 ip[kIpWords];
  } info;
  struct alignas(kCacheLine) Stream {
    Atomic32 words[kKeyWords];  // vhost/app/stream, NUL-terminated
  } stream;
  struct alignas(kCacheLine) Bytes {
    Counter64 in;
    Counter64 out;
  } bytes;
};
static_assert(sizeof(ClientEntry) == 5 * kCacheLine, "ClientEntry is part of the shared ABI");
static_assert(offsetof(ClientEntry, info) == kCacheLine &&
              offsetof(ClientEntry, stream) == 2 * kCacheLine);
static_assert(offsetof(ClientEntry, bytes) == 4 * kCacheLine);

// What a worker holds for one of its connections.
struct ClientRef {
  uint32_t index = kNoSlot;
  uint32_t incarnation = 0;
  uint32_t worker_slot = kNoSlot;
};

// A consistent copy of one entry.
struct ClientInfo {
  uint32_t index = kNoSlot;
  uint32_t incarnation = 0;
  uint32_t owner_slot = kNoSlot;
  uint32_t owner_pid = 0;
  ClientType type = ClientType::kUnknown;
  uint32_t started_at = 0;
  uint32_t stream_slot = kNoSlot;
  uint32_t stream_generation = 0;
  uint64_t bytes_in = 0, bytes_out = 0;
  bool kicked = false;
  char id[4 * kIdWords] = {};
  char ip[4 * kIpWords] = {};
  char stream[4 * kKeyWords] = {};  // empty until set_stream()
};

class ClientTable {
 public:
  // `addresses` (a view; default: none) counts the Active entries' addresses.
  ClientTable(ClientEntry* entries, uint32_t count, AddressTable addresses = {}) noexcept
      : entries_(entries), count_(count), addresses_(addresses) {}

  // --- the owning worker ---
  // A free entry for a new connection. kTooLarge when the table is full
  // (refuse the connection), kInvalid for a bad worker slot or ip text.
  [[nodiscard]] base::Result<ClientRef> claim(Owner owner, ClientType type,
                                              const base::ContextId& id, std::string_view ip,
                                              uint32_t now_wall) noexcept;
  // What the connection plays or publishes, once known; the type may change
  // too (an RTMP connection becomes a player or a publisher).
  [[nodiscard]] base::Status set_stream(const ClientRef& ref, ClientType type, uint32_t stream_slot,
                                        uint32_t stream_generation, std::string_view key) noexcept;
  Counter64& bytes_in(const ClientRef& ref) noexcept { return entries_[ref.index].bytes.in; }
  Counter64& bytes_out(const ClientRef& ref) noexcept { return entries_[ref.index].bytes.out; }
  bool kicked(const ClientRef& ref) const noexcept;
  [[nodiscard]] base::Status release(const ClientRef& ref) noexcept;

  // --- anyone ---
  // Sets the kick flag of entry `index` if it still holds `incarnation`.
  // Returns the owner's worker slot (flag and wake it: Control::kick_client
  // does all three). kNotFound when the client is gone.
  [[nodiscard]] base::Result<uint32_t> kick(uint32_t index, uint32_t incarnation) noexcept;
  // False when the entry is free or kept changing while read.
  bool read(uint32_t index, ClientInfo* out) const noexcept;
  // The active client with context id `id` (the API's DELETE /clients/<id>).
  [[nodiscard]] base::Result<ClientInfo> find(const base::ContextId& id) const noexcept;
  uint32_t capacity() const noexcept { return count_; }
  // Active connections from `ip` in the whole server (0 without an address table).
  uint32_t connections_from(std::string_view ip) const noexcept { return addresses_.count(ip); }
  // Calls fn(const ClientInfo&) for every active entry.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (uint32_t i = 0; i < count_; ++i) {
      ClientInfo info;
      if (read(i, &info)) fn(static_cast<const ClientInfo&>(info));
    }
  }

  // --- the master ---
  // Frees every entry (Claiming or Active) owned by a worker slot whose bit
  // is set in `worker_mask` (bit w = slot w). Returns how many.
  uint32_t free_owned_by(uint64_t worker_mask) noexcept;

 private:
  bool owns(const ClientRef& ref, uint32_t* word) const noexcept;
  void write_begin(ClientEntry& e) noexcept;
  void write_end(ClientEntry& e) noexcept;

  // The address of entry `e` (its ip text) leaves the address table.
  void uncount(const ClientEntry& e) noexcept;

  ClientEntry* entries_;
  uint32_t count_;
  AddressTable addresses_;
};

}  // namespace srs::shm
