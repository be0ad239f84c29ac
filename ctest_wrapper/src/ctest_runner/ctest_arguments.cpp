#include "ctest_arguments.hpp"

#include <charconv>
#include <filesystem>

namespace procleak::ctest_runner {
namespace {

// "--opt VALUE" or "--opt=VALUE" (and "-C VALUE", "-CVALUE" for short ones).
bool take_value(const std::vector<std::string>& args, std::size_t& i, const std::string& long_name,
                const std::string& short_name, std::string& value, std::string& error) {
  const std::string& a = args[i];
  if (a == long_name || (!short_name.empty() && a == short_name)) {
    if (i + 1 >= args.size()) {
      error = a + " needs a value";
      return true;
    }
    value = args[++i];
    return true;
  }
  if (a.starts_with(long_name + "=")) {
    value = a.substr(long_name.size() + 1);
    return true;
  }
  if (!short_name.empty() && a.size() > short_name.size() && a.starts_with(short_name) && a[1] != '-') {
    value = a.substr(short_name.size());
    return true;
  }
  return false;
}

}  // namespace

CtestArguments parse_ctest_arguments(const std::vector<std::string>& args) {
  CtestArguments out;
  std::size_t first = 0;
  // procleak-run flags come before a "--" (and only then).
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") {
      out.launcher_flags.assign(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(i));
      first = i + 1;
      break;
    }
  }
  std::vector<std::pair<std::size_t, std::string>> junit;  // where in ctest_args, and the path
  for (std::size_t i = first; i < args.size(); ++i) {
    std::string value;
    if (take_value(args, i, "--test-dir", "", value, out.error)) {
      if (!out.error.empty()) return out;
      out.test_dir = value;
      continue;
    }
    if (take_value(args, i, "--build-config", "-C", value, out.error)) {
      if (!out.error.empty()) return out;
      out.config = value;
      out.ctest_args.insert(out.ctest_args.end(), {"-C", value});
      continue;
    }
    if (take_value(args, i, "--timeout", "", value, out.error)) {
      if (!out.error.empty()) return out;
      double seconds = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec != std::errc{} || end != value.data() + value.size() || seconds < 0) {
        out.error = "--timeout " + value + ": not a number of seconds";
        return out;
      }
      out.default_timeout = seconds;
      out.ctest_args.insert(out.ctest_args.end(), {"--timeout", value});
      continue;
    }
    if (take_value(args, i, "--output-junit", "", value, out.error)) {
      if (!out.error.empty()) return out;
      junit.emplace_back(out.ctest_args.size() + 1, value);
      out.ctest_args.insert(out.ctest_args.end(), {"--output-junit", value});
      continue;
    }
    out.ctest_args.push_back(args[i]);
  }
  for (const auto& [index, path] : junit) {
    // ctest's own rule: relative to the test directory. Made absolute, as
    // ctest runs in the generated folder, not in the build tree.
    if (!std::filesystem::path(path).is_absolute()) {
      std::error_code ec;
      const auto dir = std::filesystem::absolute(out.test_dir, ec);
      out.ctest_args[index] = ((ec ? std::filesystem::path(out.test_dir) : dir) / path).lexically_normal().string();
    }
  }
  return out;
}

}  // namespace procleak::ctest_runner
