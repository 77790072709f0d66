// MasterStatus: the master's verdict on reloads, published in the control region.
//
// Only the master writes it (on SIGHUP, when a new generation becomes ready
// or is rolled back); any worker reads it to answer /api/v1/reload and
// /api/v1/raw?rpc=reload-fetch, and srs-ctl polls that to wait for a verdict.
//
//   MasterStatusBlock (one per control region, at fixed.status_offset)
//     line 0   seqlock | seq | state | generation | pending | ok | failed |
//              started_at | finished_at | error_size
//     then     error text: kReloadErrorBytes in Atomic32 words
//
// Seqlock: the master makes `seqlock` odd (relaxed store, then a release
// fence), writes every field with relaxed stores, and makes it even again
// with a release store. A reader loads it with acquire, copies the fields
// with relaxed loads, issues an acquire fence and reloads it: equal and even
// means the copy is whole (Boehm, "Can seqlocks get along with programming
// language memory models?", 2012). The master never waits for a reader.
//
// `seq` counts the reloads the master acted on; it wraps, so compare it only
// for equality (or with seq_diff). Every field is an Atomic32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shm/atomics.hpp"

namespace srs::shm {

inline constexpr uint32_t kReloadErrorBytes = 4096;
inline constexpr std::string_view kTruncatedMarker = "\n... (truncated)";

enum class ReloadState : uint32_t {
  kIdle = 0,        // no reload since the master started
  kInProgress = 1,  // validated, the new generation is starting
  kSucceeded = 2,   // the new generation serves, the old one drains
  kFailed = 3,      // invalid configuration, or the new generation did not become ready
};
const char* reload_state_name(ReloadState s) noexcept;  // "idle", "in progress", ...

struct alignas(kCacheLine) MasterStatusBlock {
  Atomic32 seqlock;
  Atomic32 seq;         // reloads acted on (+1 at each begin_reload)
  Atomic32 state;       // ReloadState
  Atomic32 generation;  // the generation serving
  Atomic32 pending;     // the generation starting (0: none)
  Atomic32 reloads_ok;
  Atomic32 reloads_failed;
  Atomic32 started_at;                    // wall seconds, the last reload's start
  Atomic32 finished_at;                   // wall seconds, the last reload's verdict (0: none yet)
  Atomic32 error_size;                    // bytes of `error` in use
  Atomic32 error[kReloadErrorBytes / 4];  // the last failure's text, lines joined by '\n'
};
static_assert(offsetof(MasterStatusBlock, error) == 40);
static_assert(sizeof(MasterStatusBlock) % kCacheLine == 0);

// A consistent copy of the block.
struct ReloadStatus {
  uint32_t seq = 0;
  ReloadState state = ReloadState::kIdle;
  uint32_t generation = 0;
  uint32_t pending = 0;
  uint32_t reloads_ok = 0;
  uint32_t reloads_failed = 0;
  uint32_t started_at = 0;
  uint32_t finished_at = 0;
  uint32_t error_size = 0;
  char error[kReloadErrorBytes] = {};
  std::string_view error_text() const noexcept { return {error, error_size}; }
};

// `text` cut to at most kReloadErrorBytes, ending with kTruncatedMarker when
// it was cut (never inside a UTF-8 sequence). Writes into `out`; returns the size.
std::size_t clip_error_text(std::string_view text, char (&out)[kReloadErrorBytes]) noexcept;

class MasterStatus {
 public:
  explicit MasterStatus(MasterStatusBlock* block) noexcept : b_(block) {}

  // Master only. The first generation serving (at start-up), no reload.
  void set_generation(uint32_t generation) noexcept;
  // Master only: a SIGHUP is being acted on. Returns the new seq.
  uint32_t begin_reload(uint32_t now_wall) noexcept;
  // Master only: `pending` is starting (the configuration was valid).
  void set_pending(uint32_t pending) noexcept;
  // Master only: the verdicts. Both clear `pending`.
  void succeed(uint32_t generation, uint32_t now_wall) noexcept;
  void fail(std::string_view errors, uint32_t now_wall) noexcept;

  // Any process. False when the master kept writing through every retry
  // (it writes a few times per reload, so in practice never).
  [[nodiscard]] bool read(ReloadStatus* out) const noexcept;

 private:
  void write_begin() noexcept;
  void write_end() noexcept;

  MasterStatusBlock* b_;
};

}  // namespace srs::shm
