// The shared-memory layout of one stream's media ring: an ABI between the
// publisher's worker (the only writer) and every worker that plays the stream.
//
// Who writes what, and how (HAProxy ring-t.h style). "W" = the writer (one
// process at a time), "R" = readers (any process). The master never writes into
// a ring: whether its stream is live, lost or ended is the registry's to say.
//
//   offset  line  field                  written by            read by
//   ------  ----  ---------------------  --------------------  -------------------------
//   0       0     magic (release, last)  W at init             R attach (acquire)
//                 layout_version, size,  W at init, then       R (plain: ordered by the
//                 capacity, offsets ...  constant               magic acquire)
//   128     1     tail_intent            W store + release     R acquire fence, then load:
//                                        fence BEFORE it        "was my span overwritten?"
//                                        overwrites any byte
//                 tail                   W release (commit)    R acquire: bytes < tail are
//                                                               whole records
//                 latest                 W relaxed, before     R relaxed (diagnostics)
//                                        the tail release
//                 generation             W release             R acquire
//                 reserved (offset 144)  nobody (zero)         nobody (v1: a ring state)
//                 next_seq               W relaxed             a new writer (resume)
//   256     2-3   keyframe index [16]    W, seqlock kf_lock    R seqlock copy (acquire)
//   512     4     stats                  W, seqlock stats_lock R seqlock copy
//   640     5     sleepers[2]            R fetch_or seq_cst    W seq_cst fence + exchange
//   768     -     sticky slots           W, one seqlock each   R copy-out with retry
//   data_offset   data[capacity]         W memcpy              R in place (iovec)
//
// Only line 5 (sleepers) is written by readers, and only when a worker goes to
// sleep: on the data path readers never write the ring, so a thousand players
// do not bounce the writer's cache lines.
//
// Positions are u32 byte counts that wrap at 2^32; capacity is a power of two
// <= 1 GiB, so a position's index is (pos & (capacity - 1)) across the wrap
// and every comparison uses seq_diff() (valid while 2^31 apart).
//
//        latest        tail    tail_intent
//          v             v        v
//   ... | rec | rec | rec |~~~~~~~~| ............ older records ... |
//        ^ committed      ^ being   ^ everything from tail_intent - capacity
//          (readable)       written   onwards is intact; below it is gone.
//
// A reader's bytes at position p are intact while
//     seq_diff(tail_intent, p) <= capacity
// and it only hands bytes out while seq_diff(tail_intent, p) <= capacity - guard,
// so a send that starts now has `guard` bytes of writing before it can tear.
//
// Records are 8-byte aligned and never wrap: when one does not fit before the
// end, a padding record (header words 0-1 only: it needs 8 bytes, and the
// alignment guarantees 8 are left) fills the rest of the buffer.
//
//   record: w0 payload_len | w1 type | flags<<8 | w2 timestamp | w3 cts
//           w4 seq | w5 generation | payload (FLV tag body) | pad to 8
//
// Header words are 32-bit relaxed atomics (std::atomic_ref) so that a reader
// racing with the writer reads torn values, never undefined behaviour; the
// tail_intent check after reading tells it whether to believe them. Payload
// bytes are plain memory: copying them word by word as atomics would halve
// the bandwidth, and in production the kernel (writev) is the one reading them.
//
// Where this departs from the sketch in research/peers.md C.3, and why:
// - u32 positions, not u64: 64-bit atomics are not lock-free on mipsel/armhf.
//   With capacity <= 2^30 every live distance is < 2^31, so seq_diff is exact;
//   a reader 2^32 bytes late would alias, which the per-record seq check catches.
// - 24-byte header, 8-byte alignment (sketch: 32/16): less waste on ~300-byte
//   audio, and a padding record needs only 8 bytes.
// - No per-record commit word: tail is the commit (Agrona), so one release
//   store publishes a whole batch; a dead writer leaves nothing visible.
// - The keyframe index is published after tail, so an entry is always a
//   committed record; a new writer (resume) never moves tail_intent back, or
//   readers would trust bytes the dead writer had already clobbered.
// - Sticky values are atomic words, so their seqlock is defined behaviour.
// - No ring state (the sketch's LIVE/EOS/DEAD word, set by the writer or by
//   the master after SIGCHLD): "this stream ended" has one source, the
//   registry (registry.hpp: release(), or the master's reclaim_worker() after
//   a death -> Lost; its sweep() after the grace period, or end() -> Ended),
//   and players learn of it through the registry's epoch word. A caught-up
//   reader just gets kEmpty. Version 1 kept that word at offset 144; it is
//   reserved now, every other offset kept.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "shm/atomics.hpp"
#include "shm/sticky.hpp"

namespace srs::shm {

inline constexpr uint32_t kRingMagic = 0x474e4952;  // "RING" little-endian
inline constexpr uint32_t kRingLayoutVersion = 2;   // 2: the state word (offset 144) reserved
inline constexpr uint32_t kRingMinCapacity = 4096;
inline constexpr uint32_t kRingMaxCapacity = 1u << 30;
inline constexpr uint32_t kRecordAlign = 8;
inline constexpr uint32_t kRecordHeaderSize = 24;
inline constexpr uint32_t kKeyframeIndexSize = 16;

// RTMP message types (rtmp_specification_1.0 section 7.1) plus the ring's own.
enum class RecordType : uint8_t {
  kAudio = 8,
  kVideo = 9,
  kData = 18,             // AMF0 data message (onMetaData)
  kPadding = 0xf0,        // fills the end of the buffer; never handed out
  kDiscontinuity = 0xf1,  // a new publisher generation starts here
};

enum RecordFlags : uint8_t {
  kFlagKeyframe = 1u << 0,
  kFlagSequenceHeader = 1u << 1,  // AVC/HEVC/AV1 decoder config, AAC ASC
  kFlagMetadata = 1u << 2,        // onMetaData
};

struct KeyframeEntry {
  Atomic32 pos;
  Atomic32 timestamp;
  Atomic32 seq;
};

// The words of the header; layout documented above.
struct RingHeader {
  // line 0: constant after init
  Atomic32 magic;
  uint32_t layout_version;
  uint32_t size;  // bytes of the whole block (header + sticky + data)
  uint32_t capacity;
  uint32_t data_offset;
  uint32_t sticky_offset[kStickyKinds];
  uint32_t max_payload;  // capacity / 4
  uint8_t pad0_[kCacheLine - 6 * 4 - kStickyKinds * 4];

  // line 1: writer hot
  Atomic32 tail_intent;
  Atomic32 tail;
  Atomic32 latest;
  Atomic32 generation;
  uint32_t reserved1_;  // zero; was the ring state in layout version 1
  Atomic32 next_seq;    // seq of the next record (lets a new writer continue)
  uint8_t pad1_[kCacheLine - 6 * 4];

  // lines 2-3: keyframe index, the last kKeyframeIndexSize keyframes
  Atomic32 kf_lock;   // seqlock: odd while the writer updates
  Atomic32 kf_count;  // keyframes ever indexed; newest is entry (kf_count - 1) % 16
  KeyframeEntry kf[kKeyframeIndexSize];
  uint8_t pad2_[2 * kCacheLine - 2 * 4 - kKeyframeIndexSize * sizeof(KeyframeEntry)];

  // line 4: stats, writer-owned, read under the seqlock
  Atomic32 stats_lock;
  Atomic32 records;
  Atomic32 bytes_lo;
  Atomic32 bytes_hi;
  Atomic32 last_timestamp;
  uint8_t pad4_[kCacheLine - 5 * 4];

  // line 5: the only reader-written line
  Atomic32 sleepers[2];  // bit (slot % 32) of word (slot / 32): worker slot is asleep
  uint8_t pad5_[kCacheLine - 2 * 4];
};

static_assert(sizeof(KeyframeEntry) == 12);
static_assert(offsetof(RingHeader, magic) == 0);
static_assert(offsetof(RingHeader, layout_version) == 4);
static_assert(offsetof(RingHeader, size) == 8);
static_assert(offsetof(RingHeader, tail_intent) == 1 * kCacheLine);
static_assert(offsetof(RingHeader, tail) == 1 * kCacheLine + 4);
static_assert(offsetof(RingHeader, latest) == 1 * kCacheLine + 8);
static_assert(offsetof(RingHeader, generation) == 1 * kCacheLine + 12);
static_assert(offsetof(RingHeader, reserved1_) == 1 * kCacheLine + 16);
static_assert(offsetof(RingHeader, next_seq) == 1 * kCacheLine + 20);
static_assert(offsetof(RingHeader, kf_lock) == 2 * kCacheLine);
static_assert(offsetof(RingHeader, stats_lock) == 4 * kCacheLine);
static_assert(offsetof(RingHeader, sleepers) == 5 * kCacheLine);
static_assert(sizeof(RingHeader) == 6 * kCacheLine);

constexpr uint32_t align_up(uint32_t v, uint32_t a) noexcept {
  return (v + a - 1) & ~(a - 1);
}
constexpr bool is_pow2(uint32_t v) noexcept {
  return v != 0 && (v & (v - 1)) == 0;
}

// Bytes of the data area one record of `payload` bytes occupies.
constexpr uint32_t record_size(uint32_t payload) noexcept {
  return align_up(kRecordHeaderSize + payload, kRecordAlign);
}

// Offset of the sticky block and of the data area for a given layout.
inline constexpr uint32_t kRingStickyOffset = sizeof(RingHeader);
constexpr uint32_t ring_data_offset() noexcept {
  return align_up(kRingStickyOffset + sticky_block_bytes(), kCacheLine);
}

// The bytes a ring of `capacity` needs (header, sticky slots, data), or 0 when
// the capacity is not a power of two in [kRingMinCapacity, kRingMaxCapacity].
constexpr std::size_t bytes_for(uint32_t capacity) noexcept {
  if (!is_pow2(capacity) || capacity < kRingMinCapacity || capacity > kRingMaxCapacity) return 0;
  return std::size_t{ring_data_offset()} + capacity;
}

// Record header words, read and written as relaxed 32-bit atomics in place
// (the data area holds plain bytes; std::atomic_ref gives them atomic access).
static_assert(std::atomic_ref<uint32_t>::is_always_lock_free, "record words must be lock-free");
static_assert(std::atomic_ref<uint32_t>::required_alignment <= kRecordAlign);

enum RecordWord : uint32_t {
  kWordLength,
  kWordTypeFlags,
  kWordTimestamp,
  kWordCts,
  kWordSeq,
  kWordGeneration
};

inline uint32_t load_record_word(const uint8_t* record, RecordWord w) noexcept {
  // The cast is from a kRecordAlign-aligned position: see the static_assert above.
  auto* p = static_cast<uint32_t*>(static_cast<void*>(const_cast<uint8_t*>(record) + 4 * w));
  return std::atomic_ref<uint32_t>(*p).load(std::memory_order_relaxed);
}
inline void store_record_word(uint8_t* record, RecordWord w, uint32_t v) noexcept {
  auto* p = static_cast<uint32_t*>(static_cast<void*>(record + 4 * w));
  std::atomic_ref<uint32_t>(*p).store(v, std::memory_order_relaxed);
}

}  // namespace srs::shm
