// Sources of config values, for error messages (see config_sources.h).
#include "experiments/config_sources.h"

#include <utility>

#include <fmt/format.h>

#include "experiments/config_loader.h"

namespace mmoe::experiments {

ConfigSources::ConfigSources(std::string file_source) : file_source_(std::move(file_source)) {}

void ConfigSources::set_by_override(const std::string& key_path,
                                    const std::string& override_text) {
  override_by_path_[key_path] = override_source(override_text);
}

std::string ConfigSources::source_for(std::string_view key_path) const {
  std::string_view path = key_path;
  while (!path.empty()) {
    const auto found = override_by_path_.find(path);
    if (found != override_by_path_.end()) return found->second;
    const std::size_t dot = path.rfind('.');
    if (dot == std::string_view::npos) break;
    path = path.substr(0, dot);
  }
  return file_source_;
}

void ConfigSources::fail(std::string_view key_path, const std::string& what) const {
  if (key_path.empty()) throw ConfigError(one_line(file_source_ + ": " + what));
  throw ConfigError(
      one_line(source_for(key_path) + ": " + std::string(key_path) + ": " + what));
}

void ConfigSources::fail_with_message(std::string_view key_path,
                                      const std::string& message) const {
  throw ConfigError(one_line(source_for(key_path) + ": " + message));
}

std::string one_line(std::string_view text) {
  std::string line;
  line.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      line += "\\n";
    } else if (c == '\r') {
      line += "\\r";
    } else if (c == '\t') {
      line += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      line += fmt::format("\\x{:02x}", byte);
    } else {
      line += c;
    }
  }
  return line;
}

std::string override_source(std::string_view override_text) {
  return "override '" + std::string(override_text) + "'";
}

}  // namespace mmoe::experiments
