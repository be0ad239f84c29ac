// What GitHub's runner would act on in a step's output: it reads lines
// (ended by \n or \r), trims their leading whitespace, and takes a line that
// starts with "::" as a workflow command; ::stop-commands::T pauses that
// until a line ::T::. The judge of procleak-report's GitHub output.
#pragma once

#include <string>
#include <vector>

namespace procleak_test {

// The names of the commands, in order ("error", "add-mask", ...).
inline std::vector<std::string> workflow_commands(const std::string& out) {
  std::vector<std::string> commands;
  std::string paused_until;
  for (std::size_t pos = 0; pos < out.size();) {
    auto end = out.find_first_of("\r\n", pos);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(pos, end - pos);
    pos = end + 1;
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    line.erase(0, first);
    if (!paused_until.empty()) {
      if (line == "::" + paused_until + "::") paused_until.clear();
      continue;
    }
    if (line.rfind("::", 0) != 0) continue;
    const auto name = line.substr(2, line.find_first_of(" :", 2) - 2);
    commands.push_back(name);
    if (name == "stop-commands") paused_until = line.substr(line.find("::", 2) + 2);
  }
  return commands;
}

}  // namespace procleak_test
