// An outbound link's entry in the link table (see link_entry.hpp).
#include "worker/core/link_entry.hpp"

#include "base/clock.hpp"
#include "worker/core/services.hpp"

namespace srs::worker {
namespace {

uint32_t wall_seconds() {
  return uint32_t(base::wall_ms() / 1000);
}

}  // namespace

LinkEntryHolder::LinkEntryHolder(Services& svc, shm::LinkKind kind, const base::ContextId& cid,
                                 std::string_view url, uint32_t stream_slot,
                                 uint32_t stream_generation, std::string_view what) noexcept {
  shm::LinkTable& links = svc.control->links();
  base::Result<shm::LinkRef> ref = links.claim(shm::Owner{svc.slot, svc.pid}, kind, cid, url,
                                               stream_slot, stream_generation, wall_seconds());
  if (!ref.is_ok()) {
    LOG_WARN("%.*s: not listed in the API: %s", int(what.size()), what.data(),
             ref.status().to_string().c_str());
    return;
  }
  table_ = &links;
  ref_ = *ref;
}

LinkEntryHolder::~LinkEntryHolder() {
  if (table_ != nullptr) (void)table_->release(ref_);
}

void LinkEntryHolder::set_state(shm::LinkState state, std::string_view peer_id) noexcept {
  if (table_ != nullptr) table_->set_state(ref_, state, peer_id, wall_seconds());
}

void LinkEntryHolder::set_url(std::string_view url) noexcept {
  if (table_ != nullptr) table_->set_url(ref_, url);
}

void LinkEntryHolder::count_retry() noexcept {
  if (table_ != nullptr) table_->count_reconnect(ref_);
}

shm::Counter64* LinkEntryHolder::bytes_in() noexcept {
  return table_ != nullptr ? &table_->bytes_in(ref_) : nullptr;
}

shm::Counter64* LinkEntryHolder::bytes_out() noexcept {
  return table_ != nullptr ? &table_->bytes_out(ref_) : nullptr;
}

}  // namespace srs::worker
