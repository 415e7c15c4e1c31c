#pragma once
// The optional `splits:` block of dataset.yaml: splits given as row ranges of shards
// (docs/shard-format.md), e.g. one shard whose first 8000 rows are train and the rest val.
#include <string>
#include <utility>
#include <vector>

#include "data/dataset_manifest.h"

namespace YAML {
class Emitter;
class Node;
}  // namespace YAML

namespace mmoe::data {

// Parses `splits: {name: [{file: F, rows: [begin, end]}, ...], ...}` against the listed shards.
// DataError naming `where` and the split when a range names an unlisted file, lies outside its
// shard's rows, overlaps another range (of any split), or covers a shard that has a `split` of
// its own.
std::vector<std::pair<std::string, std::vector<SplitRowRange>>> parse_split_ranges(const YAML::Node& node,
                                                                                 const std::vector<ShardEntry>& shards,
                                                                                 const std::string& where);

void emit_split_ranges(YAML::Emitter& out, const std::vector<std::pair<std::string, std::vector<SplitRowRange>>>& ranges);

}  // namespace mmoe::data
