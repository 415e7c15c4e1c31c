#include "models/model_io.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "models/make_model.h"
#include "models/model_spec_text.h"

namespace mmoe::models {
namespace {

constexpr const char* kFormatVersionKey = "mmoe_format_version";
constexpr const char* kSpecKey = "mmoe_model_spec";
constexpr const char* kStateKey = "model";

// The message of a LibTorch error without its C++ backtrace.
std::string io_error_text(const c10::Error& error) { return error.what_without_backtrace(); }

}  // namespace

void save_model(const std::string& path, const ModelSpec& spec, MultiTaskModelImpl& model) {
  TORCH_CHECK(spec.input_dim == model.input_dim(), "save_model '", path, "': the spec's input_dim ",
              spec.input_dim, " is not the model's ", model.input_dim());
  TORCH_CHECK(static_cast<int64_t>(spec.tasks.size()) == model.num_tasks(), "save_model '", path,
              "': the spec has ", spec.tasks.size(), " tasks, the model ", model.num_tasks());
  for (size_t t = 0; t < spec.tasks.size(); ++t) {
    TORCH_CHECK(spec.tasks[t].name == model.tasks()[t].name, "save_model '", path, "': task ", t, " is '",
                spec.tasks[t].name, "' in the spec but '", model.tasks()[t].name, "' in the model");
  }
  const std::string partial = path + ".partial";
  try {
    torch::serialize::OutputArchive archive;
    archive.write(kFormatVersionKey, c10::IValue(kModelFileVersion));
    archive.write(kSpecKey, c10::IValue(model_spec_to_text(spec)));
    torch::serialize::OutputArchive state;
    model.save(state);
    archive.write(kStateKey, state);
    archive.save_to(partial);
  } catch (const c10::Error& error) {
    std::remove(partial.c_str());
    TORCH_CHECK(false, "save_model: cannot write '", partial, "': ", io_error_text(error));
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    const int code = errno;
    std::remove(partial.c_str());
    TORCH_CHECK(false, "save_model: cannot rename '", partial, "' to '", path, "': ", std::strerror(code));
  }
}

LoadedModel load_model(const std::string& path, torch::Device device) {
  TORCH_CHECK(std::ifstream(path, std::ios::binary).good(), "load_model: cannot open '", path,
              "': no such file or not readable");
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path, torch::Device(torch::kCPU));
  } catch (const c10::Error& error) {
    TORCH_CHECK(false, "load_model: '", path, "' is not a model file written by save_model (",
                io_error_text(error), ")");
  }
  c10::IValue version;
  TORCH_CHECK(archive.try_read(kFormatVersionKey, version) && version.isInt(), "load_model: '", path,
              "' is a LibTorch archive but not a model file written by save_model (no ", kFormatVersionKey, ")");
  TORCH_CHECK(version.toInt() == kModelFileVersion, "load_model: '", path, "' has model file format version ",
              version.toInt(), "; this build reads version ", kModelFileVersion);
  c10::IValue spec_text;
  TORCH_CHECK(archive.try_read(kSpecKey, spec_text) && spec_text.isString(), "load_model: '", path,
              "' has no model spec (", kSpecKey, ")");

  LoadedModel loaded;
  try {
    loaded.spec = model_spec_from_text(spec_text.toStringRef());
    loaded.model = make_model(loaded.spec);
    torch::serialize::InputArchive state;
    archive.read(kStateKey, state);
    loaded.model->load(state);
  } catch (const c10::Error& error) {
    TORCH_CHECK(false, "load_model: '", path, "': ", io_error_text(error));
  }
  loaded.model->to(device);
  loaded.model->eval();
  return loaded;
}

}  // namespace mmoe::models
