#include "data/shard_provenance.h"

#include <mutex>

#include <hdf5.h>

#include "data/data_error.h"
#include "data/hdf5_handle.h"

namespace mmoe::data {

std::string read_shard_provenance(const std::filesystem::path& shard) {
  std::lock_guard<std::mutex> lock(h5::library_mutex());
  h5::silence_library_errors();
  const std::string file = shard.string();
  if (!std::filesystem::exists(shard)) throw DataError(file + ": shard does not exist");
  const auto handle = h5::checked(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, file,
                                  "opening the shard (is it an HDF5 file?)");
  std::string line;
  for (const char* name : {"backbone", "weights_hash", "preprocessing", "pooling"}) {
    line += std::string(line.empty() ? "" : "; ") + name + "=" + h5::read_string_attribute(handle.get(), name, file);
  }
  return line;
}

void check_shard_provenance(const std::filesystem::path& dir, const DatasetManifest& manifest) {
  const auto allow = manifest.attributes.find(kAllowMixedProvenance);
  if (allow != manifest.attributes.end() && allow->second == "true") return;
  std::string first_file, first;
  for (const auto& shard : manifest.shards) {
    const auto provenance = read_shard_provenance(dir / shard.file);
    if (first_file.empty()) {
      first_file = shard.file;
      first = provenance;
    } else if (provenance != first) {
      throw DataError((dir / kManifestFileName).string() + ": shards '" + first_file + "' and '" + shard.file +
                      "' have different provenance ('" + first + "' vs '" + provenance +
                      "'); re-cache them with one config, or set attributes: {" + kAllowMixedProvenance +
                      ": \"true\"} in dataset.yaml to train on the mix anyway");
    }
  }
}

}  // namespace mmoe::data
