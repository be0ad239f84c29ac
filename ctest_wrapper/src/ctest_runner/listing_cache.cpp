#include "listing_cache.hpp"

#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

namespace procleak::ctest_runner {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxFiles = 20000;

// "path size mtime inode\n", "path -\n" when absent, "path d\n" for a
// folder (a WORKING_DIRECTORY: files written into it change nothing).
std::string stat_line(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return path + " -\n";
  if (S_ISDIR(st.st_mode)) return path + " d\n";
  return path + ' ' + std::to_string(st.st_size) + ' ' + std::to_string(st.st_mtim.tv_sec) + '.' +
         std::to_string(st.st_mtim.tv_nsec) + ' ' + std::to_string(st.st_ino) + '\n';
}

bool known_command(const std::string& name) {
  static const std::set<std::string> known = {
      "add_test", "set_tests_properties", "subdirs", "include", "if", "elseif", "else", "endif", "set",
      "set_directory_properties"};
  return known.contains(name) || name.ends_with("_discover_tests_impl");
}

}  // namespace

std::optional<std::string> test_files_fingerprint(const fs::path& build) {
  static const std::regex command(R"(^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\()");
  static const std::regex quoted_path(R"re("(/[^"]*)"|\[(=*)\[(/[^\]]*)\]\2\])re");
  std::string out;
  std::set<std::string> seen;
  const std::string tree = build.lexically_normal().string() + '/';
  std::vector<std::string> todo{(build / "CTestTestfile.cmake").string()};
  while (!todo.empty()) {
    const std::string file = todo.back();
    todo.pop_back();
    if (!seen.insert(file).second) continue;
    if (seen.size() > kMaxFiles) return std::nullopt;
    out += stat_line(file);
    // A module of CMake's own (GoogleTestAddTests.cmake) is code, not a
    // list of tests: its stat says enough.
    if (!file.starts_with(tree)) continue;
    std::ifstream in(file);
    if (!in) continue;  // absent: its stat line says so
    const std::string dir = fs::path(file).parent_path().string();
    std::set<std::string> mentioned;
    for (std::string line; std::getline(in, line);) {
      if (line.find("$ENV{") != std::string::npos) return std::nullopt;
      std::smatch m;
      if (std::regex_search(line, m, command)) {
        const std::string name = m[1];
        if (!known_command(name)) return std::nullopt;
        if (name == "subdirs" || name == "include") {
          const auto open = line.find("(\"");
          const auto close = line.rfind("\")");
          if (open == std::string::npos || close == std::string::npos || close <= open) return std::nullopt;
          fs::path target = line.substr(open + 2, close - open - 2);
          if (name == "subdirs") {
            todo.push_back(((target.is_absolute() ? target : fs::path(dir) / target) / "CTestTestfile.cmake").string());
          } else if (target.is_absolute()) {
            todo.push_back(target.string());
          } else {
            return std::nullopt;
          }
          continue;
        }
      }
      for (auto it = std::sregex_iterator(line.begin(), line.end(), quoted_path); it != std::sregex_iterator(); ++it) {
        mentioned.insert((*it)[1].matched ? (*it)[1].str() : (*it)[3].str());
      }
    }
    for (const auto& path : mentioned) {
      // A test file of the tree mentioned (a discovery's list) is followed as one.
      if (path.ends_with(".cmake") && path.starts_with(tree)) {
        todo.push_back(path);
      } else {
        out += stat_line(path);
      }
    }
  }
  return out;
}

}  // namespace procleak::ctest_runner
