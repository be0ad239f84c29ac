# The tests of every consumer project, once procleak is loaded (by
# find_package, add_subdirectory or FetchContent). run_consumer.sh copies
# this folder beside the project's CMakeLists.txt, so it reads as a user's
# own (README.md shows these lines; tests/check_docs.py holds it to them).
find_package(GTest 1.12 REQUIRED)
set(reports ${CMAKE_BINARY_DIR}/procleak-reports)

# GoogleTest: the listener in the binary, and each discovered test under procleak-run
add_executable(unit_tests unit_tests.cpp)
target_link_libraries(unit_tests PRIVATE procleak::gtest_main)   # instead of GTest::gtest_main
procleak_discover_tests(unit_tests REPORT_DIR ${reports})

# every test of this directory whose command is a target
procleak_enable_launcher(REPORT_DIR ${reports})
add_executable(leaky_program leaky_program.cpp)
add_test(NAME leaky_program COMMAND leaky_program)

# scripts and other programs (TEST_LAUNCHER does not cover them)
procleak_add_test(NAME leaky_script COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/leaky_script.sh REPORT_DIR ${reports})
procleak_add_test(NAME clean_script COMMAND sh -c "exit 0" REPORT_DIR ${reports})
procleak_add_test(NAME hangs_and_leaks COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/hangs_and_leaks.sh
                  REPORT_DIR ${reports} TIMEOUT 2)
