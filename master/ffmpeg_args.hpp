// The command lines of the master's ffmpeg children (pure functions, unit
// tested): a transcode plays a stream of this server and publishes what an
// engine makes of it; an ingest reads any input ffmpeg reads and publishes
// it here.
//
//   ffmpeg -hide_banner -nostdin -nostats -loglevel warning
//          -i rtmp://127.0.0.1:1935/live/cam?vhost=v
//          -c:v libx264 -b:v 800k -s 640x360 ... -c:a aac -b:a 64k
//          -f flv rtmp://127.0.0.1:1935/live/cam_hd?vhost=v
#pragma once

#include <string>
#include <vector>

#include "conf/config.hpp"

namespace srs::master {

std::vector<std::string> transcode_args(const conf::FfmpegConfig& ffmpeg,
                                        const conf::TranscodeEngine& engine,
                                        const std::string& input_url,
                                        const std::string& output_url);

// `engine` null: both tracks copied. A local file (no "scheme://") is read
// at its own rate (-re), and from the start again at its end with `loop`.
std::vector<std::string> ingest_args(const conf::FfmpegConfig& ffmpeg,
                                     const conf::IngestConfig& ingest,
                                     const conf::TranscodeEngine* engine,
                                     const std::string& output_url);

}  // namespace srs::master
