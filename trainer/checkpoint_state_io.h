#pragma once
// state.pt of a checkpoint: a TrainingState and its companions as one flat dict of named values
// (docs/checkpoints.md lists the keys), pickled with torch::pickle_save.
#include <string>

#include "trainer/checkpoint.h"

namespace mmoe::trainer {

std::string encode_state(const Checkpoint& checkpoint);

// Fills config_yaml, model_spec_text and state; CheckpointError naming `file` when the bytes are
// not such a dict or a key is missing or of the wrong type.
void decode_state(const std::string& bytes, const std::string& file, Checkpoint& checkpoint);

}  // namespace mmoe::trainer
