// LinkTable: every outbound RTMP link of the whole server (a forward to a
// destination; the edge's pulls and pushes next), for the HTTP API.
//
// A link lives longer than any of its connections: a forwarder keeps its
// entry while it connects, publishes, loses the destination and retries, so
// the API can say which destination is down and how often it was retried.
// Entries are claimed and released by CAS on a StateWord (control_word.hpp)
// like client entries; the owner worker writes the entry and the master
// frees the entries of a dead worker (free_owned_by).
//
// Who writes what:
//   ctl.state           CAS: the owner (claim, release), the master (reclaim)
//   ctl.seq             the owner: a seqlock over info and url (odd: writing)
//   info, url           the owner only, inside the seqlock
//   bytes               the owner only (Counter64)
// A reader copies info and url between two even, equal loads of `seq` and
// two equal loads of the state word, so a snapshot is never torn.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/log.hpp"
#include "base/status.hpp"
#include "shm/atomics.hpp"
#include "shm/clients.hpp"
#include "shm/counter.hpp"
#include "shm/registry.hpp"

namespace srs::shm {

enum class LinkKind : uint32_t { kForward = 1, kEdgePull };
enum class LinkState : uint32_t {
  kConnecting = 1,  // resolving, connecting, handshake, connect, publish
  kLive,            // publishing (forward), playing (edge pull), playing (edge pull)
  kRetrying,        // lost or refused; waiting for the next attempt
};
const char* link_kind_name(LinkKind kind) noexcept;  // "forward", "edge-pull"
// "connecting", "publishing" (forward) or "playing" (edge pull), "retrying".
const char* link_state_name(LinkKind kind, LinkState state) noexcept;

inline constexpr uint32_t kLinksPerStream = 4;  // entries: shm.max_streams times this
inline constexpr uint32_t kUrlWords = 64;       // 255 bytes of URL and a NUL

enum class LinkSlotState : uint32_t { kFree = 0, kClaiming, kActive };

struct alignas(kCacheLine) LinkEntry {
  struct alignas(kCacheLine) Ctl {
    Atomic32 state{0};  // StateWord{LinkSlotState, owner worker slot, tag}
    Atomic32 seq{0};    // seqlock over info and url (odd: writing)
  } ctl;
  struct alignas(kCacheLine) Info {
    Atomic32 owner_pid{0};
    Atomic32 kind{0};
    Atomic32 link_state{0};
    Atomic32 reconnects{0};
    Atomic32 started_at{0};  // wall seconds
    Atomic32 changed_at{0};  // wall seconds, of the last state change
    Atomic32 stream_slot{0};
    Atomic32 stream_generation{0};
    Atomic32 id[kIdWords];       // the link's log context id
    Atomic32 peer_id[kIdWords];  // the upstream connection's context id (SRS peers), or ""
  } info;
  struct alignas(kCacheLine) Url {
    Atomic32 words[kUrlWords];
  } url;
  struct alignas(kCacheLine) Bytes {
    Counter64 in;
    Counter64 out;
  } bytes;
};
static_assert(sizeof(LinkEntry) == 5 * kCacheLine, "LinkEntry is part of the shared ABI");
static_assert(offsetof(LinkEntry, url) == 2 * kCacheLine);

// What a worker holds for one of its links.
struct LinkRef {
  uint32_t index = kNoSlot;
  uint32_t word = 0;  // the state word of the claim
};

// A consistent copy of one entry.
struct LinkInfo {
  uint32_t index = kNoSlot;
  uint32_t owner_slot = kNoSlot;
  uint32_t owner_pid = 0;
  LinkKind kind = LinkKind::kForward;
  LinkState state = LinkState::kConnecting;
  uint32_t reconnects = 0;
  uint32_t started_at = 0, changed_at = 0;
  uint32_t stream_slot = kNoSlot;
  uint32_t stream_generation = 0;
  uint64_t bytes_in = 0, bytes_out = 0;
  char id[4 * kIdWords] = {};
  char peer_id[4 * kIdWords] = {};
  char url[4 * kUrlWords] = {};
};

class LinkTable {
 public:
  LinkTable(LinkEntry* entries, uint32_t count) noexcept : entries_(entries), count_(count) {}

  // --- the owning worker ---
  // A free entry for a new link (state kConnecting). kTooLarge when the
  // table is full (the link runs unlisted). A URL longer than 255 bytes is
  // cut there.
  [[nodiscard]] base::Result<LinkRef> claim(Owner owner, LinkKind kind, const base::ContextId& id,
                                            std::string_view url, uint32_t stream_slot,
                                            uint32_t stream_generation, uint32_t now_wall) noexcept;
  // A new state; `peer_id` is the upstream's context id once known ("" else).
  void set_state(const LinkRef& ref, LinkState state, std::string_view peer_id,
                 uint32_t now_wall) noexcept;
  void count_reconnect(const LinkRef& ref) noexcept;
  // Where it goes now (an edge's next origin).
  void set_url(const LinkRef& ref, std::string_view url) noexcept;
  Counter64& bytes_in(const LinkRef& ref) noexcept { return entries_[ref.index].bytes.in; }
  Counter64& bytes_out(const LinkRef& ref) noexcept { return entries_[ref.index].bytes.out; }
  [[nodiscard]] base::Status release(const LinkRef& ref) noexcept;

  // --- anyone ---
  // False when the entry is free or kept changing while read.
  bool read(uint32_t index, LinkInfo* out) const noexcept;
  uint32_t capacity() const noexcept { return count_; }
  // Calls fn(const LinkInfo&) for every active entry.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (uint32_t i = 0; i < count_; ++i) {
      LinkInfo info;
      if (read(i, &info)) fn(static_cast<const LinkInfo&>(info));
    }
  }

  // --- the master ---
  // Frees every entry owned by a worker slot whose bit is set in
  // `worker_mask` (bit w = slot w). Returns how many.
  uint32_t free_owned_by(uint64_t worker_mask) noexcept;

 private:
  bool owns(const LinkRef& ref) const noexcept;
  void write_begin(LinkEntry& e) noexcept;
  void write_end(LinkEntry& e) noexcept;

  LinkEntry* entries_;
  uint32_t count_;
};

}  // namespace srs::shm
