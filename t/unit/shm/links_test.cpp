// LinkTable: claim, describe, read and release the entry of an outbound link;
// the master freeing a dead worker's entries; the table's place in the
// control region.
#include "shm/links.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "shm/control.hpp"
#include "t/unit/shm/control_fixture.hpp"

using srs::base::ContextId;
using srs::base::Errc;
using srs::shm::Control;
using srs::shm::ControlSizes;
using srs::shm::kLinksPerStream;
using srs::shm::kNoSlot;
using srs::shm::LinkEntry;
using srs::shm::LinkInfo;
using srs::shm::LinkKind;
using srs::shm::LinkRef;
using srs::shm::LinkState;
using srs::shm::LinkTable;
using srs::shm::Owner;

namespace {

ContextId cid(const char* text) {
  ContextId id;
  snprintf(id.text, sizeof(id.text), "%s", text);
  return id;
}

// A table over plain memory, every entry free.
struct Plain {
  explicit Plain(uint32_t n) : entries(new LinkEntry[n]{}), table(entries.get(), n) {}
  std::unique_ptr<LinkEntry[]> entries;
  LinkTable table;
};

LinkRef claim(LinkTable& t, uint32_t worker, const char* id = "fwd00001",
              std::string_view url = "rtmp://b:1935/live/cam") {
  auto r = t.claim(Owner{worker, 1000 + worker}, LinkKind::kForward, cid(id), url, 5, 9, 100);
  REQUIRE(r.is_ok());
  return *r;
}

int active(const LinkTable& t) {
  int n = 0;
  t.for_each([&](const LinkInfo&) { ++n; });
  return n;
}

}  // namespace

TEST_CASE("links: claim, read, set_state, count_reconnect, bytes and release") {
  Plain p(8);
  LinkTable& t = p.table;
  CHECK(t.capacity() == 8);
  auto ref = t.claim(Owner{2, 222}, LinkKind::kForward, cid("fwd00001"),
                     "rtmp://127.0.0.2:1935/live/cam?token=x", 4, 9, 1700000000);
  REQUIRE(ref.is_ok());
  REQUIRE(ref->index < 8);
  CHECK(ref->word != 0);

  LinkInfo info;
  REQUIRE(t.read(ref->index, &info));
  CHECK(info.index == ref->index);
  CHECK(info.owner_slot == 2);
  CHECK(info.owner_pid == 222);
  CHECK(info.kind == LinkKind::kForward);
  CHECK(std::string(srs::shm::link_kind_name(info.kind)) == "forward");
  CHECK(info.state == LinkState::kConnecting);
  CHECK(std::string(srs::shm::link_state_name(info.kind, info.state)) == "connecting");
  CHECK(info.reconnects == 0);
  CHECK(info.started_at == 1700000000);
  CHECK(info.changed_at == 1700000000);
  CHECK(info.stream_slot == 4);
  CHECK(info.stream_generation == 9);
  CHECK(info.bytes_in == 0);
  CHECK(info.bytes_out == 0);
  CHECK(std::string(info.id) == "fwd00001");
  CHECK(std::string(info.peer_id).empty());
  CHECK(std::string(info.url) == "rtmp://127.0.0.2:1935/live/cam?token=x");

  t.set_state(*ref, LinkState::kLive, "srv00007", 1700000005);
  t.count_reconnect(*ref);
  t.count_reconnect(*ref);
  t.bytes_in(*ref).add(17);
  t.bytes_out(*ref).add(0x100000001ull);  // past 2^32
  t.bytes_out(*ref).add(2);
  REQUIRE(t.read(ref->index, &info));
  CHECK(info.state == LinkState::kLive);
  CHECK(std::string(srs::shm::link_state_name(info.kind, info.state)) == "publishing");
  CHECK(std::string(info.peer_id) == "srv00007");
  CHECK(info.changed_at == 1700000005);
  CHECK(info.started_at == 1700000000);
  CHECK(info.reconnects == 2);
  CHECK(info.bytes_in == 17);
  CHECK(info.bytes_out == 0x100000003ull);
  CHECK(std::string(info.url) == "rtmp://127.0.0.2:1935/live/cam?token=x");

  t.set_state(*ref, LinkState::kRetrying, "", 1700000009);
  REQUIRE(t.read(ref->index, &info));
  CHECK(info.state == LinkState::kRetrying);
  CHECK(std::string(srs::shm::link_state_name(info.kind, info.state)) == "retrying");
  CHECK(std::string(info.peer_id).empty());
  CHECK(info.changed_at == 1700000009);
  CHECK(info.reconnects == 2);

  // Every write left the seqlock even (readers would retry on an odd one).
  // Five writes so far (claim, two set_state, two count_reconnect), +2 each.
  CHECK(p.entries[ref->index].ctl.seq.load() == 10);

  int seen = 0;
  t.for_each([&](const LinkInfo& l) { seen += l.index == ref->index; });
  CHECK(seen == 1);
  CHECK(active(t) == 1);

  REQUIRE(t.release(*ref).is_ok());
  CHECK_FALSE(t.read(ref->index, &info));  // a released entry is not read
  CHECK(active(t) == 0);
  CHECK(t.release(*ref).code() == Errc::kRejected);
  CHECK(std::string(srs::shm::link_state_name(LinkKind::kForward, LinkState(0))) == "unknown");
  CHECK(std::string(srs::shm::link_kind_name(LinkKind(7))) == "unknown");
  // Writes through a released ref are ignored.
  t.set_state(*ref, LinkState::kLive, "x", 1);
  t.count_reconnect(*ref);
  CHECK_FALSE(t.read(ref->index, &info));
}

TEST_CASE("links: a fresh claim of a reused entry starts clean") {
  Plain p(1);
  LinkTable& t = p.table;
  LinkRef first = claim(t, 3, "aaaaaaaa", "rtmp://a/b/c");
  t.set_state(first, LinkState::kLive, "peer0001", 200);
  t.count_reconnect(first);
  t.bytes_in(first).add(5);
  t.bytes_out(first).add(6);
  REQUIRE(t.release(first).is_ok());

  auto second =
      t.claim(Owner{4, 44}, LinkKind::kForward, cid("bbbbbbbb"), "rtmp://d/e/f", 7, 1, 300);
  REQUIRE(second.is_ok());
  CHECK(second->index == first.index);
  CHECK(second->word != first.word);
  LinkInfo info;
  REQUIRE(t.read(second->index, &info));
  CHECK(info.owner_slot == 4);
  CHECK(info.owner_pid == 44);
  CHECK(info.state == LinkState::kConnecting);
  CHECK(info.reconnects == 0);
  CHECK(info.bytes_in == 0);
  CHECK(info.bytes_out == 0);
  CHECK(std::string(info.id) == "bbbbbbbb");
  CHECK(std::string(info.peer_id).empty());
  CHECK(std::string(info.url) == "rtmp://d/e/f");
  CHECK(info.started_at == 300);
  CHECK(info.changed_at == 300);
  CHECK(info.stream_slot == 7);
  CHECK(info.stream_generation == 1);
}

TEST_CASE("links: a full table refuses with kTooLarge; a freed entry is claimed again") {
  Plain p(3);
  LinkTable& t = p.table;
  LinkRef refs[3];
  for (LinkRef& r : refs) r = claim(t, 1);
  CHECK(refs[0].index != refs[1].index);
  CHECK(refs[1].index != refs[2].index);
  CHECK(refs[0].index != refs[2].index);
  auto full = t.claim(Owner{2, 2}, LinkKind::kForward, cid("x"), "rtmp://x/y/z", 1, 1, 1);
  REQUIRE_FALSE(full.is_ok());
  CHECK(full.status().code() == Errc::kTooLarge);
  CHECK(std::string(full.status().to_string()).find("link table is full") != std::string::npos);
  CHECK(active(t) == 3);

  REQUIRE(t.release(refs[1]).is_ok());
  LinkRef again = claim(t, 2);
  CHECK(again.index == refs[1].index);
  CHECK(again.word != refs[1].word);
  CHECK(active(t) == 3);

  // An owner slot out of range, and a ref past the table.
  CHECK(t.claim(Owner{srs::shm::kWorkerSlots, 1}, LinkKind::kForward, cid("x"), "u", 1, 1, 1)
            .status()
            .code() == Errc::kInvalid);
  CHECK(t.release(LinkRef{3, refs[0].word}).code() == Errc::kInvalid);
  CHECK(t.release(LinkRef{kNoSlot, 0}).code() == Errc::kInvalid);
  LinkInfo info;
  CHECK_FALSE(t.read(3, &info));
  CHECK_FALSE(t.read(kNoSlot, &info));
}

TEST_CASE("links: a URL longer than 255 bytes is cut there") {
  Plain p(2);
  LinkTable& t = p.table;
  std::string url = "rtmp://b:1935/live/";
  for (int i = 0; url.size() < 300; ++i) url += char('a' + i % 26);
  LinkRef ref = claim(t, 0, "fwd00001", url);
  LinkInfo info;
  REQUIRE(t.read(ref.index, &info));
  CHECK(std::strlen(info.url) == 255);
  CHECK(std::string(info.url) == url.substr(0, 255));
  CHECK(sizeof(info.url) == 256);

  std::string exact(255, 'u');
  LinkRef fits = claim(t, 0, "fwd00002", exact);
  REQUIRE(t.read(fits.index, &info));
  CHECK(std::string(info.url) == exact);
}

TEST_CASE("links: free_owned_by frees only the masked workers' entries") {
  Plain p(8);
  LinkTable& t = p.table;
  LinkRef a1 = claim(t, 1, "a1111111");
  LinkRef a2 = claim(t, 1, "a2222222");
  LinkRef b = claim(t, 2, "b2222222");
  LinkRef c = claim(t, 3, "c3333333");
  LinkRef last = claim(t, 63, "z6363636");
  CHECK(active(t) == 5);

  CHECK(t.free_owned_by(0) == 0);
  CHECK(active(t) == 5);
  CHECK(t.free_owned_by((uint64_t{1} << 1) | (uint64_t{1} << 3)) == 3);
  LinkInfo info;
  CHECK_FALSE(t.read(a1.index, &info));
  CHECK_FALSE(t.read(a2.index, &info));
  CHECK_FALSE(t.read(c.index, &info));
  REQUIRE(t.read(b.index, &info));
  CHECK(info.owner_slot == 2);
  CHECK(std::string(info.id) == "b2222222");
  REQUIRE(t.read(last.index, &info));
  CHECK(info.owner_slot == 63);
  CHECK(active(t) == 2);
  // Nothing left to free there; freeing again counts nothing.
  CHECK(t.free_owned_by((uint64_t{1} << 1) | (uint64_t{1} << 3)) == 0);
  // Bit 63 is slot 63.
  CHECK(t.free_owned_by(uint64_t{1} << 63) == 1);
  CHECK(active(t) == 1);
  CHECK(t.free_owned_by(~uint64_t{0}) == 1);
  CHECK(active(t) == 0);
}

TEST_CASE("links: a stale ref (freed by the master, entry claimed again) is refused") {
  Plain p(1);
  LinkTable& t = p.table;
  LinkRef old = claim(t, 1, "old00000", "rtmp://old/a/b");
  CHECK(t.free_owned_by(uint64_t{1} << 1) == 1);
  LinkRef fresh = claim(t, 1, "new00000", "rtmp://new/a/b");  // the same slot, restarted
  REQUIRE(fresh.index == old.index);
  CHECK(fresh.word != old.word);

  CHECK(t.release(old).code() == Errc::kRejected);
  t.set_state(old, LinkState::kRetrying, "stale000", 999);
  t.count_reconnect(old);
  LinkInfo info;
  REQUIRE(t.read(fresh.index, &info));  // the new link's entry is untouched
  CHECK(std::string(info.id) == "new00000");
  CHECK(std::string(info.url) == "rtmp://new/a/b");
  CHECK(info.state == LinkState::kConnecting);
  CHECK(std::string(info.peer_id).empty());
  CHECK(info.reconnects == 0);
  CHECK(info.changed_at == 100);
  REQUIRE(t.release(fresh).is_ok());

  // A ref freed by the master and not reused is refused too.
  LinkRef lone = claim(t, 2);
  CHECK(t.free_owned_by(uint64_t{1} << 2) == 1);
  CHECK(t.release(lone).code() == Errc::kRejected);
}

TEST_CASE("links: the control region holds max_streams x kLinksPerStream entries") {
  auto c = srs::test::make_control(16, 32);
  CHECK(kLinksPerStream == 4);
  CHECK(c.links().capacity() == 16 * kLinksPerStream);
  const auto& f = c.header().fixed;
  CHECK(f.links_offset % alignof(LinkEntry) == 0);
  CHECK(f.links_offset == f.clients_offset + 32 * sizeof(srs::shm::ClientEntry));
  CHECK(f.status_offset == f.links_offset + 16 * kLinksPerStream * sizeof(LinkEntry));
  CHECK(Control::required_size(ControlSizes{16, 32}) >=
        f.status_offset + sizeof(srs::shm::MasterStatusBlock));

  // An attached view sees what the creator's view wrote, and the other way.
  auto* base = const_cast<srs::shm::ControlHeader*>(&c.header());
  auto attached = Control::attach(base, Control::required_size(ControlSizes{16, 32}));
  REQUIRE(attached.is_ok());
  CHECK(attached->links().capacity() == 64);
  LinkRef ref = claim(c.links(), 3, "ctl00001", "rtmp://x/live/a");
  LinkInfo info;
  REQUIRE(attached->links().read(ref.index, &info));
  CHECK(std::string(info.url) == "rtmp://x/live/a");
  REQUIRE(attached->links().release(ref).is_ok());
  CHECK_FALSE(c.links().read(ref.index, &info));

  // A mismatched links_offset is refused at attach.
  auto& h = const_cast<srs::shm::ControlHeader&>(c.header());
  h.fixed.links_offset += 64;
  auto bad = Control::attach(base, Control::required_size(ControlSizes{16, 32}));
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().code() == Errc::kInvalid);
  h.fixed.links_offset -= 64;
  CHECK(Control::attach(base, Control::required_size(ControlSizes{16, 32})).is_ok());
}

TEST_CASE("links: format lays the links out in caller-provided memory") {
  const ControlSizes sizes{8, 4};
  const std::size_t size = Control::required_size(sizes);
  REQUIRE(size > 0);
  void* mem = nullptr;
  REQUIRE(posix_memalign(&mem, 4096, size) == 0);
  std::unique_ptr<void, decltype(&free)> hold(mem, &free);
  std::memset(mem, 0, size);
  auto c = Control::format(mem, size, sizes, srs::shm::InstanceId::generate());
  REQUIRE(c.is_ok());
  CHECK(c->links().capacity() == 8 * kLinksPerStream);
  const auto& f = c->header().fixed;
  CHECK(f.links_offset == f.clients_offset + 4 * sizeof(srs::shm::ClientEntry));
  CHECK(f.status_offset == f.links_offset + 32 * sizeof(LinkEntry));
  CHECK(f.status_offset + sizeof(srs::shm::MasterStatusBlock) <= size);
  // Every entry is usable, the last one too.
  LinkRef refs[32];
  for (LinkRef& r : refs) r = claim(c->links(), 0);
  CHECK(c->links().claim(Owner{0, 1}, LinkKind::kForward, cid("x"), "u", 1, 1, 1).status().code() ==
        Errc::kTooLarge);
  CHECK(active(c->links()) == 32);
  CHECK(c->links().free_owned_by(1) == 32);
}

TEST_CASE("links: reclaim_worker and sweep report the links they freed") {
  auto c = srs::test::make_control(16, 32);
  REQUIRE(c.workers().reserve(5, 1700000000).is_ok());
  c.workers().set_pid(5, 5555);
  claim(c.links(), 5, "dead0001");
  claim(c.links(), 5, "dead0002");
  LinkRef other = claim(c.links(), 6, "live0001");
  REQUIRE(c.workers().reserve(6, 1700000000).is_ok());  // worker 6 runs

  CHECK(c.reclaim_worker(5, 5556, 100).status().code() == Errc::kInvalid);
  CHECK(active(c.links()) == 3);  // a refused reclaim frees nothing
  auto report = c.reclaim_worker(5, 5555, 100);
  REQUIRE(report.is_ok());
  CHECK(report->links_freed == 2);
  CHECK(report->clients_freed == 0);
  CHECK(active(c.links()) == 1);
  LinkInfo info;
  REQUIRE(c.links().read(other.index, &info));
  CHECK(std::string(info.id) == "live0001");

  // A sweep frees what a worker that is not running still holds.
  claim(c.links(), 9, "orphan01");
  auto swept = c.sweep(200, 10);
  CHECK(swept.links_freed == 1);
  CHECK(active(c.links()) == 1);
  CHECK(c.links().read(other.index, &info));
}
