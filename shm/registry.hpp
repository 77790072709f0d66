// Registry: the shared stream directory, "vhost/app/stream" -> stream slot.
//
// An open-addressing hash table in the control region (linear probing,
// `max_streams` slots, no resize). Slot i is also "stream slot i": the ring
// segment name, the player counts and the API all use that number.
//
// Slot states (the kind in the slot's StateWord, see control_word.hpp):
//
//   Free ──claim──> Claiming ──key written──> Pending ──verified──> Live
//                                                │                  │ ^   release() / the
//                                   lost a race  │        takeover()│ │   owner's worker died
//                                                v                  v │   (reclaim_worker)
//   Ended (tombstone) <──sweep() after grace── Lost ──republish──────-┘
//        │   <──end() by the owner── Live
//        └──reused for a new key (Claiming); keeps its place in probe paths
//
// Invariants:
//  * A Free slot is never entered again once left: Ended tombstones are
//    reused instead. So the probe path of a key only grows, and every scan
//    stops at the first Free slot.
//  * At most one slot per key is Pending-verified, Live or Lost. Claiming a
//    new key: CAS the first tombstone or free slot on the path to Claiming,
//    write the key, store Pending (seq_cst), then re-walk the path (seq_cst
//    loads). Two racers for one key publish before they look, so at least one
//    sees the other (Dekker): a racer that sees the key Live/Lost, or Pending
//    EARLIER on the path, retracts (its slot becomes a tombstone) and starts
//    over; one that sees it Pending LATER on the path waits for it to resolve.
//    Waits only go towards later slots, so they cannot form a cycle.
//  * A dead owner leaves nothing stuck: its slots carry its worker slot in the
//    state word, and Control::reclaim_worker() moves them to Lost (Live) or
//    Ended (Claiming, Pending). A waiter gives up after kRaceWaitMs (kTimeout).
//
// Who writes what: the state word by CAS (claimer, owner, master); identity
// fields and the key only by the slot's holder while it holds it; `stats` by
// the owner; players[w] by worker w (+1/-1 per player of this stream).
// Generation and ring epoch change just AFTER the state word: a reader that
// sees a state change re-reads them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/status.hpp"
#include "shm/atomics.hpp"
#include "shm/counter.hpp"
#include "shm/workers.hpp"

namespace srs::shm {

inline constexpr uint32_t kMaxKeyLength = 255;
inline constexpr uint32_t kKeyWords = 64;  // 256 bytes: the key and its NUL
inline constexpr int kRaceWaitMs = 100;    // how long to wait for a racing claimer

enum class StreamState : uint32_t { kFree = 0, kClaiming, kPending, kLive, kLost, kEnded };
const char* stream_state_name(StreamState state) noexcept;

// "vhost/app/stream": 3..255 printable ASCII bytes (0x21..0x7E), a non-empty
// vhost before the first '/', a non-empty stream after the last '/', and a
// non-empty app between them (the app may itself contain '/').
[[nodiscard]] base::Status validate_stream_key(std::string_view key) noexcept;

// The registry-wide words, in the control header (written by every worker).
struct RegistryShared {
  Atomic32 epoch{0};      // +1 on every publish, release, end: "something changed"
  Atomic32 waiters[2]{};  // bit w of (waiters[1]:waiters[0]) = worker slot w waits
};

// Written only by the stream's current owner: the counters at each flush,
// the rest when a sequence header arrives (worker/stream_stats.hpp encodes
// codec, profile and level names as small numbers). Each word is read on its
// own: a reader may see the video size of one sequence header with the
// profile of the previous one, for an instant.
struct StreamStats {
  Counter64 bytes_in;
  Counter64 messages;
  Counter64 video_frames;    // video messages but sequence headers (SRS's "frames")
  Atomic32 bitrate_kbps{0};  // payload bytes over the last ~10 s
  Atomic32 video_codec{0};   // summary words; their encoding belongs to the worker
  Atomic32 audio_codec{0};
  Atomic32 video_profile{0};
  Atomic32 video_level{0};
  Atomic32 video_width{0};
  Atomic32 video_height{0};
  Atomic32 audio_sample_rate{0};
  Atomic32 audio_channels{0};
  Atomic32 audio_profile{0};
  Atomic32 dvr_recording{0};  // 1 while the owner's DVR has a file open (worker/dvr)
};
static_assert(sizeof(StreamStats) <= kCacheLine, "StreamStats fits its cache line");

struct alignas(kCacheLine) StreamSlot {
  struct alignas(kCacheLine) Identity {
    Atomic32 state{0};  // StateWord{StreamState, owner worker slot, tag}
    Atomic32 hash{0};
    Atomic32 key_len{0};
    Atomic32 generation{0};  // +1 per publish, republish, takeover (wraps)
    Atomic32 owner_pid{0};
    Atomic32 ring_epoch{0};    // +1 each time the owner recreates the ring (wraps)
    Atomic32 published_at{0};  // wall seconds
    Atomic32 lost_since{0};    // CLOCK_MONOTONIC seconds; valid while Lost
    Atomic32 dvr_request{0};   // generation << 2 | DvrRequest, from any worker's API
  } id;
  struct alignas(kCacheLine) Key {
    Atomic32 words[kKeyWords];  // the key's bytes, little-endian in each word
  } key;
  struct alignas(kCacheLine) Stats {
    StreamStats s;
  } stats;
  struct alignas(kCacheLine) Players {
    Atomic32 per_worker[kWorkerSlots];
  } players;
};
static_assert(sizeof(StreamSlot) == 6 * kCacheLine, "StreamSlot is part of the shared ABI");
static_assert(offsetof(StreamSlot, key) == kCacheLine &&
              offsetof(StreamSlot, stats) == 3 * kCacheLine);
static_assert(offsetof(StreamSlot, players) == 4 * kCacheLine);

// What the API asked of a publish's DVR (/api/v1/dvrs): record it whatever
// the configuration says, or stop recording it. Kept with the generation it
// was asked for, so a republish starts from the configuration again.
enum class DvrRequest : uint32_t { kNone = 0, kStart = 1, kStop = 2 };
const char* dvr_request_name(DvrRequest r) noexcept;  // "none", "start", "stop"

// Who publishes.
struct Owner {
  uint32_t worker_slot = kNoSlot;
  uint32_t pid = 0;
};

// What a publisher holds: pass it back to every owner-only call.
struct StreamRef {
  uint32_t slot = kNoSlot;
  uint32_t generation = 0;
  uint32_t worker_slot = kNoSlot;
};

// A snapshot of one slot (key consistent with state; the rest one load each).
struct StreamInfo {
  uint32_t slot = kNoSlot;
  StreamState state = StreamState::kFree;
  uint32_t owner_slot = kNoSlot;  // kNoSlot while Lost
  uint32_t owner_pid = 0;
  uint32_t generation = 0;
  uint32_t ring_epoch = 0;
  uint32_t published_at = 0;
  uint32_t lost_since = 0;
  uint32_t players = 0;  // summed over workers
  uint64_t bytes_in = 0, messages = 0, video_frames = 0;
  uint32_t bitrate_kbps = 0, video_codec = 0, audio_codec = 0;
  uint32_t video_profile = 0, video_level = 0, video_width = 0, video_height = 0;
  uint32_t audio_sample_rate = 0, audio_channels = 0, audio_profile = 0;
  bool dvr_recording = false;
  DvrRequest dvr_request = DvrRequest::kNone;  // for this generation
  char key[kMaxKeyLength + 1] = {};
};

struct PackedKey;  // a validated key packed into words (registry.cpp)

class Registry {
 public:
  Registry(StreamSlot* slots, uint32_t count, RegistryShared* shared) noexcept
      : slots_(slots), count_(count), shared_(shared) {}

  // --- publishers (any worker) ---
  // Claims `key` for `owner`: a new key, or a Lost stream of the same key
  // (republish: same slot, generation + 1, players keep waiting on it).
  // kExists: the key is Live (see takeover()). kTooLarge: no free slot.
  // kTimeout: a racing claimer did not finish in kRaceWaitMs (it died: the
  // master repairs; retry later). kInvalid: a bad key.
  // On success, wake take_waiters().
  [[nodiscard]] base::Result<StreamRef> publish(std::string_view key, Owner owner) noexcept;
  // Takes a Live stream over for `owner` when the caller's policy allows it
  // (publish() said kExists; find() gave the slot and generation the policy
  // looked at). One CAS on the state word: kRejected if the slot is no longer
  // Live at `expected_generation`. Generation + 1; `previous` gets the old
  // owner's worker slot (kick its publisher). The new owner writes to a NEW
  // ring epoch: the old one may write a little more to the old ring before it
  // notices that is_owner() turned false.
  [[nodiscard]] base::Result<StreamRef> takeover(uint32_t slot, uint32_t expected_generation,
                                                 Owner owner,
                                                 uint32_t* previous = nullptr) noexcept;
  // Still the owner? (Live, same worker slot, same generation.) One load each.
  bool is_owner(const StreamRef& ref) const noexcept;
  // Live -> Lost: the publisher left; players wait for a republish until the
  // grace period ends (sweep()). `now_mono` in CLOCK_MONOTONIC seconds.
  [[nodiscard]] base::Status release(const StreamRef& ref, uint32_t now_mono) noexcept;
  // Live -> Ended at once (no grace). The caller unlinks its ring segment.
  [[nodiscard]] base::Status end(const StreamRef& ref) noexcept;
  // Ring epoch: the owner creates segment_name(instance, slot, e + 1), then
  // stores it here (release), then unlinks epoch e's name.
  uint32_t ring_epoch(uint32_t slot) const noexcept;
  [[nodiscard]] base::Status set_ring_epoch(const StreamRef& ref, uint32_t epoch) noexcept;
  StreamStats& stats(uint32_t slot) noexcept { return slots_[slot].stats.s; }
  // --- the DVR's controls (any worker's API asks; the owner's DVR reads) ---
  void request_dvr(uint32_t slot, uint32_t generation, DvrRequest r) noexcept;
  DvrRequest dvr_request(uint32_t slot, uint32_t generation) const noexcept;

  // --- players (any worker) ---
  // A Live or Lost stream by key; kNotFound otherwise (then add_waiter() and
  // find() again, in that order, so a publish in between is not missed).
  [[nodiscard]] base::Result<StreamInfo> find(std::string_view key) const noexcept;
  // players[worker_slot] of `slot` += delta (+1 on attach, -1 on detach).
  void add_players(uint32_t slot, uint32_t worker_slot, int32_t delta) noexcept;
  // players[worker_slot] of `slot` (one load; 0 out of range). The API lists them.
  uint32_t players_on(uint32_t slot, uint32_t worker_slot) const noexcept;
  void add_waiter(uint32_t worker_slot) noexcept;
  // The waiting workers (bit w = slot w), cleared: ring each of them.
  uint64_t take_waiters() noexcept;
  uint32_t epoch() const noexcept;

  // --- anyone (the API) ---
  uint32_t capacity() const noexcept { return count_; }
  StreamState state(uint32_t slot) const noexcept;
  // False if the slot is Free/Claiming/Ended or changed during the read.
  bool read(uint32_t slot, StreamInfo* out) const noexcept;

  // --- the master (Control::reclaim_worker / sweep) ---
  struct RepairCount {
    uint32_t lost = 0;       // Live streams moved to Lost
    uint32_t retracted = 0;  // half-made claims (Claiming, Pending) moved to Ended
  };
  // Everything `worker_slot` held: Live -> Lost, Claiming/Pending -> Ended;
  // its player counts zeroed, its waiter bit cleared.
  RepairCount repair_owner(uint32_t worker_slot, uint32_t now_mono) noexcept;
  // Lost for at least `grace_s` seconds -> Ended. Returns true and the slot's
  // ring epoch (to unlink its segment) when it ended the stream.
  bool end_if_expired(uint32_t slot, uint32_t now_mono, uint32_t grace_s,
                      uint32_t* ring_epoch_out) noexcept;
  // The owner of a Live/Claiming/Pending slot, else kNoSlot.
  uint32_t owner_of(uint32_t slot) const noexcept;

  // --- tests only ---
  // Called inside publish() at two points of a new-key claim (the slot is
  // Claiming with its key written; then Pending, before verifying), so a test
  // can interleave a racer deterministically. Null (never called) otherwise.
  enum class ClaimPhase { kKeyWritten, kPending };
  using ClaimHook = void (*)(ClaimPhase phase, uint32_t slot, void* arg);
  void set_claim_hook(ClaimHook hook, void* arg) noexcept {
    hook_ = hook;
    hook_arg_ = arg;
  }

 private:
  struct Probe;
  Probe probe(const PackedKey& k, uint32_t skip) const noexcept;
  bool holds(uint32_t i, const PackedKey& k, uint32_t* word) const noexcept;
  bool wait_change(uint32_t i, uint32_t word, int64_t deadline_ms) const noexcept;
  uint32_t distance(uint32_t i, uint32_t home) const noexcept;
  enum class Outcome { kWon, kRetry, kTimeout };
  Outcome claim_new(const PackedKey& k, Owner owner, uint32_t i, uint32_t word, int64_t deadline_ms,
                    StreamRef* ref) noexcept;
  enum class Verdict { kWin, kLose, kAgain, kTimeout };
  Verdict verify(const PackedKey& k, uint32_t mine, int64_t deadline_ms) const noexcept;
  StreamRef become_owner(uint32_t i, Owner owner) noexcept;
  bool leave(const StreamRef& ref, StreamState to, uint32_t now_mono) noexcept;
  void changed() noexcept;

  StreamSlot* slots_;
  uint32_t count_;
  RegistryShared* shared_;
  ClaimHook hook_ = nullptr;
  void* hook_arg_ = nullptr;
};

}  // namespace srs::shm
