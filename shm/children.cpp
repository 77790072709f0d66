// The master's children for the API (see children.hpp).
#include "shm/children.hpp"

#include "shm/control_word.hpp"

namespace srs::shm {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr auto kAcquire = std::memory_order_acquire;
constexpr int kReadRetries = 64;

}  // namespace

const char* child_kind_name(ChildKind kind) noexcept {
  switch (kind) {
    case ChildKind::kTranscode:
      return "transcode";
    case ChildKind::kIngest:
      return "ingest";
    case ChildKind::kExec:
      return "exec";
  }
  return "?";
}

const char* child_phase_name(ChildPhase phase) noexcept {
  switch (phase) {
    case ChildPhase::kRunning:
      return "running";
    case ChildPhase::kWaiting:
      return "waiting";
    case ChildPhase::kFailed:
      return "failed";
    case ChildPhase::kStopping:
      return "stopping";
  }
  return "?";
}

void ChildTable::write(uint32_t index, const ChildRecord& r) noexcept {
  if (index >= kMaxChildren) return;
  ChildEntry& e = b_->entries[index];
  seqlock_write_begin(e.info.seq);
  e.info.in_use.store(1, kRelaxed);
  e.info.kind.store(static_cast<uint32_t>(r.kind), kRelaxed);
  e.info.pid.store(r.pid, kRelaxed);
  e.info.restarts.store(r.restarts, kRelaxed);
  e.info.started_at.store(r.started_at, kRelaxed);
  e.info.state.store(static_cast<uint32_t>(r.state), kRelaxed);
  e.info.id.store(r.id, kRelaxed);
  store_text(e.info.name, std::size(e.info.name), r.name);
  store_text(e.source.words, kChildTextWords, r.source);
  store_text(e.output.words, kChildTextWords, r.output);
  store_text(e.last_exit.words, kChildTextWords, r.last_exit);
  seqlock_write_end(e.info.seq);
}

void ChildTable::clear_from(uint32_t index) noexcept {
  for (uint32_t i = index; i < kMaxChildren; ++i) {
    ChildEntry& e = b_->entries[i];
    if (e.info.in_use.load(kRelaxed) == 0) continue;
    seqlock_write_begin(e.info.seq);
    e.info.in_use.store(0, kRelaxed);
    seqlock_write_end(e.info.seq);
  }
}

bool ChildTable::read(uint32_t index, ChildInfo* out) const noexcept {
  if (index >= kMaxChildren) return false;
  const ChildEntry& e = b_->entries[index];
  for (int attempt = 0; attempt < kReadRetries; ++attempt) {
    const uint32_t q0 = e.info.seq.load(kAcquire);
    if (q0 & 1) continue;
    if (e.info.in_use.load(kRelaxed) == 0) return false;
    ChildInfo& c = *out;
    c.kind = static_cast<ChildKind>(e.info.kind.load(kRelaxed));
    c.pid = e.info.pid.load(kRelaxed);
    c.restarts = e.info.restarts.load(kRelaxed);
    c.started_at = e.info.started_at.load(kRelaxed);
    c.state = static_cast<ChildPhase>(e.info.state.load(kRelaxed));
    c.id = e.info.id.load(kRelaxed);
    load_text(e.info.name, std::size(e.info.name), c.name);
    load_text(e.source.words, kChildTextWords, c.source);
    load_text(e.output.words, kChildTextWords, c.output);
    load_text(e.last_exit.words, kChildTextWords, c.last_exit);
    fence(kAcquire);
    if (e.info.seq.load(kRelaxed) == q0) return true;
  }
  return false;
}

void ChildTable::set_totals(const ChildTotals& t) noexcept {
  b_->totals.starts.store(t.starts, kRelaxed);
  b_->totals.restarts.store(t.restarts, kRelaxed);
  b_->totals.stalls.store(t.stalls, kRelaxed);
  b_->totals.crash_loops.store(t.crash_loops, kRelaxed);
}

ChildTotals ChildTable::totals() const noexcept {
  const auto& t = b_->totals;
  return {t.starts.load(kRelaxed), t.restarts.load(kRelaxed), t.stalls.load(kRelaxed),
          t.crash_loops.load(kRelaxed)};
}

}  // namespace srs::shm
