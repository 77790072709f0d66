// ChildRoom: which ffmpeg children and exec commands the configuration and
// the live streams call for, kept true through the ChildSupervisor.
//
// Twice a second (and at each reload) the room reads the stream registry
// in shared memory and works out the children it wants:
//   - an ingest per enabled `ingest` entry, from the start;
//   - a transcode per live stream (Live, or Lost waiting for a republish)
//     and enabled engine of a vhost whose transcode applies to it, except
//     for a stream that is itself a transcoder's output (no loop);
// starts those it lacks, stops those no longer wanted, and replaces those
// whose command line changed (a reload keeps the others running). An exec
// command runs once at each start of a stream (a new generation going Live)
// and once at its end (that generation no longer Live).
//
// A transcode or ingest whose output stream (on this server) got no media
// for ffmpeg.stall_timeout while its input had some is restarted. The room
// writes every child to the ChildTable (shm/children.hpp) for the API.
//
// Children are the master's: a worker that dies leaves them running; the
// streams it published go Lost, then end, and their transcodes stop then.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "conf/config.hpp"
#include "master/child_supervisor.hpp"
#include "shm/control.hpp"

namespace srs::master {

// A live stream as the room sees it.
struct LiveStream {
  std::string key;  // "vhost/app/stream"
  uint32_t generation = 0;
  bool live = false;  // Live (else Lost)
  uint64_t messages = 0;
};

// One child the room wants.
struct WantedChild {
  ChildSpec spec;
  std::string input_key;   // a transcode's source stream; "" for an ingest
  std::string output_key;  // the stream it publishes here; "" when it goes elsewhere
};

// The children `config` calls for with `streams` live (pure: unit tested).
// Keys: "ingest VHOST/NAME", "transcode VHOST/APP/STREAM ENGINE".
std::map<std::string, WantedChild> wanted_children(const conf::Config& config,
                                                   const std::vector<LiveStream>& streams,
                                                   const std::set<std::string>& running_outputs,
                                                   const Credentials& creds);
// The exec commands of `event` ("on_publish", "on_unpublish") for stream `key`.
std::vector<ChildSpec> exec_children(const conf::Config& config, const std::string& event,
                                     const std::string& key, const Credentials& creds);

class ChildRoom {
 public:
  static constexpr int64_t kTickMs = 500;

  ChildRoom(ChildSupervisor* supervisor, shm::Control* control)
      : supervisor_(supervisor), control_(control) {}

  // The configuration in force, at start and after each reload; applied now.
  void configure(std::shared_ptr<const conf::Config> config, const Credentials& creds,
                 int64_t now_ms);
  int64_t next_tick_ms() const { return config_ ? next_tick_ms_ : -1; }
  // When due: follow the streams, run exec commands, restart stalled children.
  void tick(int64_t now_ms);
  // Writes the table when the supervisor changed anything since the last time.
  void publish(int64_t now_ms);
  // The master stops: every child stops, none starts again.
  void stop(int64_t now_ms);

 private:
  struct Held {
    ChildId id = 0;
    WantedChild wanted;
    uint64_t output_messages = 0, input_messages = 0;
    int64_t output_moved_ms = 0;  // when the output last got media (or the run began)
    pid_t pid = 0;
  };

  std::vector<LiveStream> read_streams() const;
  void remember_outputs(const std::vector<LiveStream>& streams);
  void reconcile(const std::vector<LiveStream>& streams, int64_t now_ms);
  void run_exec(const std::vector<LiveStream>& streams, int64_t now_ms);
  void check_stalls(const std::vector<LiveStream>& streams, int64_t now_ms);
  void write_table();

  ChildSupervisor* supervisor_;
  shm::Control* control_;
  std::shared_ptr<const conf::Config> config_;
  Credentials creds_;
  std::map<std::string, Held> held_;
  // The outputs of transcodes, held or stopped, while the stream lives: one
  // whose transcoder stopped with its input still waits for a republish, and
  // must not be transcoded meanwhile.
  std::set<std::string> transcoder_outputs_;
  std::set<std::pair<std::string, uint32_t>> published_;  // (key, generation) seen Live
  int64_t next_tick_ms_ = 0;
  bool stopping_ = false;
  uint32_t stalls_ = 0;
  uint64_t written_changes_ = ~0ull;
  int64_t written_ms_ = 0;
};

}  // namespace srs::master
