// What `ctest --show-only=json-v1` reads to list a build tree's tests, so
// procleak-ctest can reuse a listing while none of it changed (the listing is
// most of its fixed cost: bench/procleak_ctest.sh).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace procleak::ctest_runner {

// A fingerprint of the tree's test files: the top CTestTestfile.cmake, those
// its subdirs() name, the files they include(), and every absolute path
// those files quote (the executables PRE_TEST discovery runs, the test lists
// it writes, the modules it loads), each by path, size, modification time
// and inode, or as absent. CMake rewrites a test file only when its text
// changes, and discovery writes its list only when the executable is newer,
// so a fingerprint that is the same means the same listing.
//
// nullopt when a test file does anything this cannot follow (a command other
// than add_test, set_tests_properties, subdirs, include, if/elseif/else/endif,
// set, set_directory_properties or a discovery module's *_discover_tests_impl;
// an include() of something other than a quoted path; $ENV{}): then the tree
// is listed on every run.
[[nodiscard]] std::optional<std::string> test_files_fingerprint(const std::filesystem::path& build);

}  // namespace procleak::ctest_runner
