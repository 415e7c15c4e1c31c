#pragma once
// Reads an experiment store with plain SQL, independently of mmoe's tracking library.
#include <filesystem>
#include <string>
#include <vector>

namespace mmoe::e2e {

// Rows of a query as strings (NULL as "NULL"); an empty result when the file does not exist.
std::vector<std::vector<std::string>> query(const std::filesystem::path& store, const std::string& sql);
// Executes SQL that changes the store (to stage a situation); throws on an error.
void execute(const std::filesystem::path& store, const std::string& sql);
// Runs with status 'running' (0 when the store does not exist).
int count_running(const std::filesystem::path& store);

}  // namespace mmoe::e2e
