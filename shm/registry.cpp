// Registry: the shared stream directory; the protocol is described in registry.hpp.
#include "shm/registry.hpp"

#include <sched.h>

#include <cstring>

#include "base/clock.hpp"
#include "shm/control_word.hpp"
#include "shm/ring_fence.hpp"  // fence(): a thread fence that also builds under TSan

namespace srs::shm {

using base::Errc;
using base::Result;
using base::Status;

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr auto kAcquire = std::memory_order_acquire;
constexpr auto kRelease = std::memory_order_release;
constexpr auto kSeqCst = std::memory_order_seq_cst;

constexpr uint32_t raw(StreamState s) noexcept {
  return static_cast<uint32_t>(s);
}
StreamState kind_of(uint32_t word) noexcept {
  return static_cast<StreamState>(StateWord::unpack(word).kind);
}
bool has_key(StreamState s) noexcept {
  return s == StreamState::kPending || s == StreamState::kLive || s == StreamState::kLost;
}
uint32_t wall_seconds() noexcept {
  return static_cast<uint32_t>(base::wall_ms() / 1000);
}

// FNV-1a, 32 bits: the key's home slot and a cheap first comparison.
uint32_t fnv1a(std::string_view s) noexcept {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

uint32_t word_count(uint32_t len) noexcept {
  return (len + 3) / 4;
}

}  // namespace

// A validated key packed into little-endian words, as it is stored.
struct PackedKey {
  uint32_t words[kKeyWords] = {};
  uint32_t len = 0;
  uint32_t hash = 0;

  explicit PackedKey(std::string_view key) noexcept
      : len(static_cast<uint32_t>(key.size())), hash(fnv1a(key)) {
    for (uint32_t b = 0; b < len; ++b) {
      words[b / 4] |= uint32_t{static_cast<unsigned char>(key[b])} << (8 * (b % 4));
    }
  }
  bool matches(const StreamSlot& s) const noexcept {
    if (s.id.hash.load(kRelaxed) != hash || s.id.key_len.load(kRelaxed) != len) return false;
    for (uint32_t j = 0; j < word_count(len); ++j) {
      if (s.key.words[j].load(kRelaxed) != words[j]) return false;
    }
    return true;
  }
  void store(StreamSlot& s) const noexcept {
    s.id.hash.store(hash, kRelaxed);
    s.id.key_len.store(len, kRelaxed);
    for (uint32_t j = 0; j < word_count(len); ++j) s.key.words[j].store(words[j], kRelaxed);
  }
};

struct Registry::Probe {
  uint32_t match = kNoSlot;  // first slot on the path holding the key
  uint32_t match_word = 0;
  uint32_t reusable = kNoSlot;  // first tombstone on the path, else the free slot ending it
  uint32_t reusable_word = 0;
};

const char* stream_state_name(StreamState state) noexcept {
  switch (state) {
    case StreamState::kFree:
      return "free";
    case StreamState::kClaiming:
      return "claiming";
    case StreamState::kPending:
      return "pending";
    case StreamState::kLive:
      return "live";
    case StreamState::kLost:
      return "publisher-lost";
    case StreamState::kEnded:
      return "ended";
  }
  return "unknown";
}

Status validate_stream_key(std::string_view key) noexcept {
  if (key.size() < 5) return Status::fail(Errc::kInvalid, "stream key must be vhost/app/stream");
  if (key.size() > kMaxKeyLength)
    return Status::fail(Errc::kTooLarge, "stream key longer than 255 bytes");
  for (unsigned char c : key) {
    if (c < 0x21 || c > 0x7E)
      return Status::fail(Errc::kInvalid, "stream key has a byte outside 0x21..0x7E");
  }
  const auto first = key.find('/');
  const auto last = key.rfind('/');
  if (first == std::string_view::npos || first == last) {
    return Status::fail(Errc::kInvalid, "stream key must be vhost/app/stream");
  }
  if (first == 0 || last + 1 == key.size() || last == first + 1) {
    return Status::fail(Errc::kInvalid, "stream key has an empty vhost, app or stream");
  }
  return Status::ok();
}

// ---------------------------------------------------------------------------
// Probing

// Whether slot i holds key k (Pending, Live or Lost), with the state word the
// answer is consistent with. The key is read between two loads of the state
// word (a seqlock whose sequence is the tag): a key is only rewritten after
// the state word changed (Claiming), with a release fence in between.
bool Registry::holds(uint32_t i, const PackedKey& k, uint32_t* word) const noexcept {
  const StreamSlot& s = slots_[i];
  for (;;) {
    const uint32_t w0 = s.id.state.load(kSeqCst);
    if (!has_key(kind_of(w0))) {
      *word = w0;
      return false;
    }
    const bool equal = k.matches(s);
    fence(kAcquire);
    if (s.id.state.load(kRelaxed) == w0) {
      *word = w0;
      return equal;
    }
  }
}

Registry::Probe Registry::probe(const PackedKey& k, uint32_t skip) const noexcept {
  Probe p;
  const uint32_t home = k.hash % count_;
  for (uint32_t d = 0; d < count_; ++d) {
    const uint32_t i = (home + d) % count_;
    if (i == skip) continue;
    uint32_t w = 0;
    if (holds(i, k, &w)) {
      p.match = i;
      p.match_word = w;
      return p;
    }
    const StreamState kind = kind_of(w);
    if (kind == StreamState::kFree || (kind == StreamState::kEnded && p.reusable == kNoSlot)) {
      if (p.reusable == kNoSlot) {
        p.reusable = i;
        p.reusable_word = w;
      }
      if (kind == StreamState::kFree) return p;
    }
  }
  return p;
}

uint32_t Registry::distance(uint32_t i, uint32_t home) const noexcept {
  return (i + count_ - home) % count_;
}

// Spins (yielding) while slot i's state word is still `word`.
bool Registry::wait_change(uint32_t i, uint32_t word, int64_t deadline_ms) const noexcept {
  while (slots_[i].id.state.load(kAcquire) == word) {
    if (base::mono_ms() > deadline_ms) return false;
    sched_yield();
  }
  return true;
}

// ---------------------------------------------------------------------------
// Publishing

Result<StreamRef> Registry::publish(std::string_view key, Owner owner) noexcept {
  if (Status st = validate_stream_key(key); !st.is_ok()) return st;
  if (owner.worker_slot >= kWorkerSlots)
    return Status::fail(Errc::kInvalid, "owner worker slot out of range");
  const PackedKey k(key);
  const int64_t deadline = base::mono_ms() + kRaceWaitMs;
  while (base::mono_ms() <= deadline) {
    const Probe p = probe(k, kNoSlot);
    if (p.match == kNoSlot) {
      if (p.reusable == kNoSlot) return Status::fail(Errc::kTooLarge, "stream registry is full");
      StreamRef ref;
      const Outcome o = claim_new(k, owner, p.reusable, p.reusable_word, deadline, &ref);
      if (o == Outcome::kWon) return ref;
      if (o == Outcome::kTimeout) break;
      continue;
    }
    const StreamState kind = kind_of(p.match_word);
    if (kind == StreamState::kLive)
      return Status::fail(Errc::kExists, "stream is already being published");
    if (kind == StreamState::kLost) {
      // Republish: the same slot, players waiting on it continue.
      uint32_t w = p.match_word;
      const uint32_t live = StateWord::unpack(w).next(raw(StreamState::kLive), owner.worker_slot);
      if (slots_[p.match].id.state.compare_exchange_strong(w, live, kSeqCst)) {
        const StreamRef ref = become_owner(p.match, owner);
        changed();
        return ref;
      }
      continue;
    }
    // Pending: another publisher of this key is mid-claim; let it finish.
    if (!wait_change(p.match, p.match_word, deadline)) break;
  }
  return Status::fail(Errc::kTimeout, "a racing publisher did not finish its claim");
}

Registry::Outcome Registry::claim_new(const PackedKey& k, Owner owner, uint32_t i, uint32_t word,
                                      int64_t deadline_ms, StreamRef* ref) noexcept {
  StreamSlot& s = slots_[i];
  const uint32_t claiming =
      StateWord::unpack(word).next(raw(StreamState::kClaiming), owner.worker_slot);
  if (!s.id.state.compare_exchange_strong(word, claiming, kSeqCst)) return Outcome::kRetry;
  fence(kRelease);  // readers of the old key see the state change (holds())
  k.store(s);
  s.stats.s.bytes_in.reset();
  s.stats.s.messages.reset();
  s.stats.s.video_frames.reset();
  StreamStats& st = s.stats.s;
  for (Atomic32* w : {&st.bitrate_kbps, &st.video_codec, &st.audio_codec, &st.video_profile,
                      &st.video_level, &st.video_width, &st.video_height, &st.audio_sample_rate,
                      &st.audio_channels, &st.audio_profile})
    w->store(0, kRelaxed);
  for (Atomic32& n : s.players.per_worker) n.store(0, kRelaxed);
  s.id.owner_pid.store(owner.pid, kRelaxed);
  if (hook_ != nullptr) hook_(ClaimPhase::kKeyWritten, i, hook_arg_);
  uint32_t pending =
      StateWord::unpack(claiming).next(raw(StreamState::kPending), owner.worker_slot);
  s.id.state.store(pending, kSeqCst);  // publish before looking (Dekker with racers)
  if (hook_ != nullptr) hook_(ClaimPhase::kPending, i, hook_arg_);
  for (;;) {
    const Verdict v = verify(k, i, deadline_ms);
    if (v == Verdict::kAgain) continue;
    const bool won = v == Verdict::kWin;
    const uint32_t next =
        StateWord::unpack(pending).next(raw(won ? StreamState::kLive : StreamState::kEnded),
                                        won ? owner.worker_slot : StateWord::kNoOwner);
    if (!s.id.state.compare_exchange_strong(pending, next, kSeqCst))
      return Outcome::kRetry;  // repaired
    if (!won) return v == Verdict::kTimeout ? Outcome::kTimeout : Outcome::kRetry;
    *ref = become_owner(i, owner);
    changed();
    return Outcome::kWon;
  }
}

// After our slot `mine` is Pending with key k: are we the one?
Registry::Verdict Registry::verify(const PackedKey& k, uint32_t mine,
                                   int64_t deadline_ms) const noexcept {
  const Probe p = probe(k, mine);
  if (p.match == kNoSlot) return Verdict::kWin;
  if (kind_of(p.match_word) != StreamState::kPending) return Verdict::kLose;  // Live or Lost
  const uint32_t home = k.hash % count_;
  if (distance(p.match, home) < distance(mine, home)) return Verdict::kLose;
  // A racer later on the path: it will see us and retract, or it won first.
  return wait_change(p.match, p.match_word, deadline_ms) ? Verdict::kAgain : Verdict::kTimeout;
}

StreamRef Registry::become_owner(uint32_t i, Owner owner) noexcept {
  StreamSlot& s = slots_[i];
  s.id.owner_pid.store(owner.pid, kRelaxed);
  s.id.published_at.store(wall_seconds(), kRelaxed);
  const uint32_t gen = s.id.generation.fetch_add(1, kRelease) + 1;
  return StreamRef{i, gen, owner.worker_slot};
}

void Registry::changed() noexcept {
  shared_->epoch.fetch_add(1, kSeqCst);
}

Result<StreamRef> Registry::takeover(uint32_t slot, uint32_t expected_generation, Owner owner,
                                     uint32_t* previous) noexcept {
  if (slot >= count_) return Status::fail(Errc::kInvalid, "stream slot out of range");
  if (owner.worker_slot >= kWorkerSlots)
    return Status::fail(Errc::kInvalid, "owner worker slot out of range");
  StreamSlot& s = slots_[slot];
  uint32_t w = s.id.state.load(kAcquire);
  const StateWord sw = StateWord::unpack(w);
  if (kind_of(w) != StreamState::kLive || s.id.generation.load(kAcquire) != expected_generation) {
    return Status::fail(Errc::kRejected, "stream changed since the takeover was decided");
  }
  if (!s.id.state.compare_exchange_strong(w, sw.next(raw(StreamState::kLive), owner.worker_slot),
                                          kSeqCst)) {
    return Status::fail(Errc::kRejected, "stream changed since the takeover was decided");
  }
  if (previous != nullptr) *previous = sw.owner;
  const StreamRef ref = become_owner(slot, owner);
  changed();
  return ref;
}

bool Registry::is_owner(const StreamRef& ref) const noexcept {
  if (ref.slot >= count_) return false;
  const StreamSlot& s = slots_[ref.slot];
  const StateWord sw = StateWord::unpack(s.id.state.load(kAcquire));
  return sw.kind == raw(StreamState::kLive) && sw.owner == ref.worker_slot &&
         s.id.generation.load(kAcquire) == ref.generation;
}

// The owner's own transitions out of Live (release, end): one CAS from the
// exact word it owns, so a takeover or a repair in between makes it fail.
bool Registry::leave(const StreamRef& ref, StreamState to, uint32_t now_mono) noexcept {
  if (!is_owner(ref)) return false;
  StreamSlot& s = slots_[ref.slot];
  uint32_t w = s.id.state.load(kAcquire);
  const StateWord sw = StateWord::unpack(w);
  if (sw.kind != raw(StreamState::kLive) || sw.owner != ref.worker_slot) return false;
  // lost_since before the CAS (release): sweep() reads it after seeing Lost.
  if (to == StreamState::kLost) s.id.lost_since.store(now_mono, kRelaxed);
  if (!s.id.state.compare_exchange_strong(w, sw.next(raw(to)), kSeqCst)) return false;
  changed();
  return true;
}

Status Registry::release(const StreamRef& ref, uint32_t now_mono) noexcept {
  if (leave(ref, StreamState::kLost, now_mono)) return Status::ok();
  return Status::fail(Errc::kRejected, "release by a publisher that is not the owner");
}

Status Registry::end(const StreamRef& ref) noexcept {
  if (leave(ref, StreamState::kEnded, 0)) return Status::ok();
  return Status::fail(Errc::kRejected, "end by a publisher that is not the owner");
}

uint32_t Registry::ring_epoch(uint32_t slot) const noexcept {
  return slot < count_ ? slots_[slot].id.ring_epoch.load(kAcquire) : 0;
}

Status Registry::set_ring_epoch(const StreamRef& ref, uint32_t epoch) noexcept {
  if (!is_owner(ref))
    return Status::fail(Errc::kRejected, "ring epoch set by a publisher that is not the owner");
  slots_[ref.slot].id.ring_epoch.store(epoch, kRelease);
  changed();
  return Status::ok();
}

// ---------------------------------------------------------------------------
// Players and readers

Result<StreamInfo> Registry::find(std::string_view key) const noexcept {
  if (Status st = validate_stream_key(key); !st.is_ok()) return st;
  const PackedKey k(key);
  for (int attempt = 0; attempt < 8; ++attempt) {
    const Probe p = probe(k, kNoSlot);
    if (p.match == kNoSlot || kind_of(p.match_word) == StreamState::kPending) break;
    StreamInfo info;
    if (read(p.match, &info)) return info;
  }
  return Status::fail(Errc::kNotFound, "no such stream");
}

void Registry::add_players(uint32_t slot, uint32_t worker_slot, int32_t delta) noexcept {
  if (slot >= count_ || worker_slot >= kWorkerSlots) return;
  slots_[slot].players.per_worker[worker_slot].fetch_add(static_cast<uint32_t>(delta), kRelaxed);
}

uint32_t Registry::players_on(uint32_t slot, uint32_t worker_slot) const noexcept {
  if (slot >= count_ || worker_slot >= kWorkerSlots) return 0;
  return slots_[slot].players.per_worker[worker_slot].load(kRelaxed);
}

void Registry::add_waiter(uint32_t worker_slot) noexcept {
  if (worker_slot >= kWorkerSlots) return;
  shared_->waiters[worker_slot / 32].fetch_or(1u << (worker_slot % 32), kSeqCst);
}

uint64_t Registry::take_waiters() noexcept {
  const uint64_t lo = shared_->waiters[0].exchange(0, kSeqCst);
  const uint64_t hi = shared_->waiters[1].exchange(0, kSeqCst);
  return (hi << 32) | lo;
}

uint32_t Registry::epoch() const noexcept {
  return shared_->epoch.load(kAcquire);
}

StreamState Registry::state(uint32_t slot) const noexcept {
  return slot < count_ ? kind_of(slots_[slot].id.state.load(kAcquire)) : StreamState::kFree;
}

const char* dvr_request_name(DvrRequest r) noexcept {
  switch (r) {
    case DvrRequest::kNone:
      return "none";
    case DvrRequest::kStart:
      return "start";
    case DvrRequest::kStop:
      return "stop";
  }
  return "?";
}

void Registry::request_dvr(uint32_t slot, uint32_t generation, DvrRequest r) noexcept {
  if (slot >= count_) return;
  slots_[slot].id.dvr_request.store((generation << 2) | static_cast<uint32_t>(r), kRelaxed);
}

DvrRequest Registry::dvr_request(uint32_t slot, uint32_t generation) const noexcept {
  if (slot >= count_) return DvrRequest::kNone;
  const uint32_t w = slots_[slot].id.dvr_request.load(kRelaxed);
  if ((w >> 2) != (generation & 0x3fffffffu)) return DvrRequest::kNone;
  return static_cast<DvrRequest>(w & 3);
}

bool Registry::read(uint32_t slot, StreamInfo* out) const noexcept {
  if (slot >= count_) return false;
  const StreamSlot& s = slots_[slot];
  const uint32_t w0 = s.id.state.load(kAcquire);
  const StateWord sw = StateWord::unpack(w0);
  if (sw.kind != raw(StreamState::kLive) && sw.kind != raw(StreamState::kLost)) return false;
  StreamInfo& i = *out;
  i.slot = slot;
  i.state = static_cast<StreamState>(sw.kind);
  i.owner_slot = sw.owner == StateWord::kNoOwner ? kNoSlot : sw.owner;
  i.owner_pid = s.id.owner_pid.load(kRelaxed);
  i.generation = s.id.generation.load(kAcquire);
  i.ring_epoch = s.id.ring_epoch.load(kAcquire);
  i.published_at = s.id.published_at.load(kRelaxed);
  i.lost_since = s.id.lost_since.load(kRelaxed);
  i.players = 0;
  for (const Atomic32& n : s.players.per_worker) i.players += n.load(kRelaxed);
  i.bytes_in = s.stats.s.bytes_in.load();
  i.messages = s.stats.s.messages.load();
  i.video_frames = s.stats.s.video_frames.load();
  i.bitrate_kbps = s.stats.s.bitrate_kbps.load(kRelaxed);
  i.video_codec = s.stats.s.video_codec.load(kRelaxed);
  i.audio_codec = s.stats.s.audio_codec.load(kRelaxed);
  i.video_profile = s.stats.s.video_profile.load(kRelaxed);
  i.video_level = s.stats.s.video_level.load(kRelaxed);
  i.video_width = s.stats.s.video_width.load(kRelaxed);
  i.video_height = s.stats.s.video_height.load(kRelaxed);
  i.audio_sample_rate = s.stats.s.audio_sample_rate.load(kRelaxed);
  i.audio_channels = s.stats.s.audio_channels.load(kRelaxed);
  i.audio_profile = s.stats.s.audio_profile.load(kRelaxed);
  i.dvr_recording = s.stats.s.dvr_recording.load(kRelaxed) != 0;
  i.dvr_request = dvr_request(slot, i.generation);
  const uint32_t len = s.id.key_len.load(kRelaxed);
  for (uint32_t b = 0; b < len && b < kMaxKeyLength; ++b) {
    i.key[b] = static_cast<char>(s.key.words[b / 4].load(kRelaxed) >> (8 * (b % 4)));
  }
  i.key[len < kMaxKeyLength ? len : kMaxKeyLength] = '\0';
  fence(kAcquire);
  return s.id.state.load(kRelaxed) == w0;
}

// ---------------------------------------------------------------------------
// Repair (the master)

Registry::RepairCount Registry::repair_owner(uint32_t worker_slot, uint32_t now_mono) noexcept {
  RepairCount count;
  for (uint32_t i = 0; i < count_; ++i) {
    StreamSlot& s = slots_[i];
    if (worker_slot < kWorkerSlots) s.players.per_worker[worker_slot].store(0, kRelaxed);
    uint32_t w = s.id.state.load(kAcquire);
    while (StateWord::unpack(w).owner == worker_slot) {
      const bool live = kind_of(w) == StreamState::kLive;
      if (live) s.id.lost_since.store(now_mono, kRelaxed);
      const auto to = live ? StreamState::kLost : StreamState::kEnded;
      if (s.id.state.compare_exchange_strong(w, StateWord::unpack(w).next(raw(to)), kSeqCst)) {
        ++(live ? count.lost : count.retracted);
        break;
      }
    }
  }
  if (worker_slot < kWorkerSlots) {
    shared_->waiters[worker_slot / 32].fetch_and(~(1u << (worker_slot % 32)), kSeqCst);
  }
  if (count.lost + count.retracted > 0) changed();
  return count;
}

bool Registry::end_if_expired(uint32_t slot, uint32_t now_mono, uint32_t grace_s,
                              uint32_t* ring_epoch_out) noexcept {
  if (slot >= count_) return false;
  StreamSlot& s = slots_[slot];
  uint32_t w = s.id.state.load(kAcquire);
  if (kind_of(w) != StreamState::kLost) return false;
  const uint32_t since = s.id.lost_since.load(kRelaxed);
  if (seq_diff(now_mono, since) < static_cast<int32_t>(grace_s)) return false;
  if (!s.id.state.compare_exchange_strong(w, StateWord::unpack(w).next(raw(StreamState::kEnded)),
                                          kSeqCst)) {
    return false;
  }
  if (ring_epoch_out != nullptr) *ring_epoch_out = s.id.ring_epoch.load(kAcquire);
  changed();
  return true;
}

uint32_t Registry::owner_of(uint32_t slot) const noexcept {
  if (slot >= count_) return kNoSlot;
  const StateWord sw = StateWord::unpack(slots_[slot].id.state.load(kAcquire));
  const auto kind = static_cast<StreamState>(sw.kind);
  const bool owned =
      kind == StreamState::kLive || kind == StreamState::kClaiming || kind == StreamState::kPending;
  return owned && sw.owner != StateWord::kNoOwner ? sw.owner : kNoSlot;
}

}  // namespace srs::shm
