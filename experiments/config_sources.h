#pragma once
// Where each value of the merged config tree came from (the file or an override), so that
// every ConfigError starts with the right source: "cfg.yaml: ..." or "override 'k=v': ...".
#include <map>
#include <string>
#include <string_view>

namespace mmoe::experiments {

class ConfigSources {
 public:
  // `file_source`: the file path or source name that stands before file-given values.
  explicit ConfigSources(std::string file_source);

  const std::string& file_source() const { return file_source_; }

  // The value at `key_path` (e.g. "model.num_experts") and everything under it was set by
  // `override_text` (e.g. "model.num_experts=4"); a later call for the same path wins.
  void set_by_override(const std::string& key_path, const std::string& override_text);

  // The source of the value at `key_path`: "override 'k=v'" when it or one of its ancestors
  // was set by an override (the nearest one wins), else the file source.
  std::string source_for(std::string_view key_path) const;

  // Throws ConfigError "<source>: <key_path>: <what>" ("<source>: <what>" for the root "").
  [[noreturn]] void fail(std::string_view key_path, const std::string& what) const;

  // Throws ConfigError "<source of key_path>: <message>"; the message names the key itself.
  [[noreturn]] void fail_with_message(std::string_view key_path,
                                      const std::string& message) const;

 private:
  std::string file_source_;
  std::map<std::string, std::string, std::less<>> override_by_path_;
};

// `text` with line breaks, tabs and other control characters escaped ("a\nb" -> "a\\nb"), so
// that every ConfigError message stays on one line.
std::string one_line(std::string_view text);

// "override 'model.num_experts=4'": how an override is named in messages.
std::string override_source(std::string_view override_text);

}  // namespace mmoe::experiments
