# The tests of every consumer project, once procleak is loaded (by
# find_package, add_subdirectory or FetchContent).
find_package(GTest 1.12 REQUIRED)
set(common ${CMAKE_CURRENT_LIST_DIR})
set(reports ${CMAKE_BINARY_DIR}/procleak-reports)

# GoogleTest: the listener in the binary, each test under procleak-run.
add_executable(consumer_test ${common}/consumer_test.cpp)
target_link_libraries(consumer_test PRIVATE procleak::gtest_main)
procleak_discover_tests(consumer_test REPORT_DIR ${reports} GRACE 1s)

# A plain program under the directory-wide launcher.
procleak_enable_launcher(REPORT_DIR ${reports})
add_executable(leaky_program ${common}/leaky_program.cpp)
add_test(NAME leaky_program COMMAND leaky_program)

# Scripts, which TEST_LAUNCHER does not cover.
procleak_add_test(NAME leaky_script COMMAND sh ${common}/leaky_script.sh REPORT_DIR ${reports})
procleak_add_test(NAME clean_script COMMAND sh -c "exit 0" REPORT_DIR ${reports})
procleak_add_test(NAME hangs_and_leaks COMMAND sh ${common}/hangs_and_leaks.sh REPORT_DIR ${reports} TIMEOUT 2)
