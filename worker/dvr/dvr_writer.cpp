// The container of a dvr.path (see dvr_writer.hpp).
#include "worker/dvr/dvr_writer.hpp"

#include "worker/dvr/flv_writer.hpp"
#include "worker/dvr/mp4_writer.hpp"

namespace srs::worker {

std::unique_ptr<DvrWriter> make_dvr_writer(std::string_view path, std::vector<uint8_t>* out) {
  if (path.ends_with(".mp4")) return std::make_unique<Mp4Writer>(out);
  return std::make_unique<FlvWriter>(out);
}

}  // namespace srs::worker
