// Loading a config: read the file, parse YAML, apply overrides, parse typed sections,
// validate ranges, then resolve (to_yaml), hash and flatten (see config_loader.h).
#include "experiments/config_loader.h"

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/sha256.h"
#include "experiments/config_params.h"
#include "experiments/config_parse.h"
#include "experiments/config_sources.h"
#include "experiments/config_validate.h"
#include "experiments/overrides.h"
#include "experiments/yaml_reader.h"

namespace mmoe::experiments {

namespace {

const char* kSections = "data, model, tasks, optim, scheduler, train, distributed, tracking";

// The one document of the file as a map of sections; an empty document is an empty map.
YAML::Node parse_document(std::string_view text, const std::string& source) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& error) {
    if (error.mark.is_null()) {
      throw ConfigError(one_line(fmt::format("{}: malformed YAML: {}", source, error.msg)));
    }
    throw ConfigError(one_line(fmt::format("{}:{}:{}: malformed YAML: {}; fix the syntax there",
                                           source, error.mark.line + 1, error.mark.column + 1,
                                           error.msg)));
  }
  if (documents.size() > 1) {
    throw ConfigError(fmt::format("{}: found {} YAML documents; a config is one document, "
                                  "remove the '---' separators",
                                  source, documents.size()));
  }
  if (documents.empty() || documents.front().IsNull()) return YAML::Node(YAML::NodeType::Map);
  YAML::Node root = documents.front();
  if (!root.IsMap()) {
    throw ConfigError(one_line(fmt::format("{}: the top level must be a map of sections (got "
                                           "{}); valid sections: {}",
                                           source, describe_node(root), kSections)));
  }
  return root;
}

std::string read_file(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw ConfigError(fmt::format("cannot open config '{}': it is a directory; pass the "
                                  "path of a YAML file",
                                  path.string()));
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int code = errno;
    throw ConfigError(fmt::format("cannot open config '{}': {}; check the path and its "
                                  "permissions",
                                  path.string(),
                                  code != 0 ? std::generic_category().message(code)
                                            : std::string("cannot be read")));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    throw ConfigError(fmt::format("cannot read config '{}': read error; check the file",
                                  path.string()));
  }
  return text.str();
}

}  // namespace

LoadedConfig load_config_text(std::string_view yaml_text, std::string_view source_name,
                              const std::vector<std::string>& overrides) {
  ConfigSources sources{std::string(source_name)};
  YAML::Node root = parse_document(yaml_text, sources.file_source());
  apply_overrides(root, overrides, sources);
  LoadedConfig loaded;
  loaded.config = parse_config(root, sources);
  validate_config(loaded.config, sources);
  loaded.resolved_yaml = to_yaml(loaded.config);
  loaded.hash = mmoe::sha256_hex(loaded.resolved_yaml);
  loaded.params = flatten_params(loaded.resolved_yaml);
  return loaded;
}

LoadedConfig load_config_file(const std::filesystem::path& path,
                              const std::vector<std::string>& overrides) {
  return load_config_text(read_file(path), path.string(), overrides);
}

}  // namespace mmoe::experiments
