// ChildTable: the master's exec'd children (ffmpeg transcoders and ingests,
// exec commands), published for the workers' HTTP API.
//
// Only the master writes, and it writes the whole table: after each change
// of its children and once a second, entry i describes the i-th child it
// knows (in_use), the rest are cleared. Each entry has its own seqlock
// (control_word.hpp's seqlock_write_begin/end); a reader copies it between
// two even, equal loads of `seq`, so a snapshot is never torn. The totals
// only grow (counters for /metrics); each is read on its own.
//
//   ChildTableBlock
//     line 0    totals: starts, restarts, stalls, crash_loops
//     then      ChildEntry[kMaxChildren]
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shm/atomics.hpp"
#include "shm/registry.hpp"

namespace srs::shm {

inline constexpr uint32_t kMaxChildren = 256;    // listed; more run unlisted
inline constexpr uint32_t kChildNameWords = 16;  // 63 bytes and a NUL
inline constexpr uint32_t kChildTextWords = 64;  // 255 bytes and a NUL

enum class ChildKind : uint32_t { kTranscode = 1, kIngest, kExec };
const char* child_kind_name(ChildKind kind) noexcept;  // "transcode", "ingest", "exec"
// The master's ChildState, in its order (master/child_supervisor.hpp).
enum class ChildPhase : uint32_t { kRunning = 0, kWaiting, kFailed, kStopping };
const char* child_phase_name(ChildPhase phase) noexcept;  // "running", "waiting" ...

struct alignas(kCacheLine) ChildEntry {
  struct alignas(kCacheLine) Info {
    Atomic32 seq{0};  // seqlock over the whole entry (odd: writing)
    Atomic32 in_use{0};
    Atomic32 kind{0};
    Atomic32 pid{0};  // 0 unless a process runs
    Atomic32 restarts{0};
    Atomic32 started_at{0};          // wall seconds, when the child was first started
    Atomic32 state{0};               // ChildPhase
    Atomic32 id{0};                  // the master's id of the child (stable while it lives)
    Atomic32 name[kChildNameWords];  // the engine, the ingest, or on_publish/on_unpublish
  } info;
  struct alignas(kCacheLine) Source {
    Atomic32 words[kChildTextWords];  // "vhost/app/stream" it reads (an ingest: its input)
  } source;
  struct alignas(kCacheLine) Output {
    Atomic32 words[kChildTextWords];  // "vhost/app/stream" it publishes here, or ""
  } output;
  struct alignas(kCacheLine) LastExit {
    Atomic32 words[kChildTextWords];  // how the last run ended, and its last line of stderr
  } last_exit;
};
static_assert(sizeof(ChildEntry::Info) == kCacheLine && sizeof(ChildEntry) == kCacheLine + 768,
              "ChildEntry is part of the shared ABI");

struct alignas(kCacheLine) ChildTableBlock {
  struct alignas(kCacheLine) Totals {
    Atomic32 starts{0};       // processes started
    Atomic32 restarts{0};     // of those, restarts after an exit or a stall
    Atomic32 stalls{0};       // children restarted because their output got no media
    Atomic32 crash_loops{0};  // children given up after quick exits in a row
  } totals;
  ChildEntry entries[kMaxChildren];
};

// What the master says of one child.
struct ChildRecord {
  uint32_t id = 0;
  ChildKind kind = ChildKind::kTranscode;
  ChildPhase state = ChildPhase::kRunning;
  uint32_t pid = 0;
  uint32_t restarts = 0;
  uint32_t started_at = 0;
  std::string_view name, source, output, last_exit;
};

// A consistent copy of one entry.
struct ChildInfo {
  uint32_t id = 0;
  ChildKind kind = ChildKind::kTranscode;
  ChildPhase state = ChildPhase::kRunning;
  uint32_t pid = 0;
  uint32_t restarts = 0;
  uint32_t started_at = 0;
  char name[4 * kChildNameWords] = {};
  char source[4 * kChildTextWords] = {};
  char output[4 * kChildTextWords] = {};
  char last_exit[4 * kChildTextWords] = {};
};

struct ChildTotals {
  uint32_t starts = 0, restarts = 0, stalls = 0, crash_loops = 0;
};

class ChildTable {
 public:
  explicit ChildTable(ChildTableBlock* block) noexcept : b_(block) {}

  // --- the master ---
  // Entry `index` (< kMaxChildren) describes `record`.
  void write(uint32_t index, const ChildRecord& record) noexcept;
  // Entries from `index` on describe nothing.
  void clear_from(uint32_t index) noexcept;
  // The master's counts since it started (each only grows).
  void set_totals(const ChildTotals& totals) noexcept;

  // --- anyone ---
  // False when the entry is not in use or kept changing while read.
  bool read(uint32_t index, ChildInfo* out) const noexcept;
  ChildTotals totals() const noexcept;
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (uint32_t i = 0; i < kMaxChildren; ++i) {
      ChildInfo info;
      if (read(i, &info)) fn(static_cast<const ChildInfo&>(info));
    }
  }

 private:
  ChildTableBlock* b_;
};

}  // namespace srs::shm
