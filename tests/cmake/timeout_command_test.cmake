# The launcher command procleak.cmake builds for a test's TIMEOUT, checked in
# script mode: cmake -DPROCLEAK_MODULE=<procleak.cmake> -P this-file.
include("${PROCLEAK_MODULE}")
set_property(GLOBAL PROPERTY PROCLEAK_RUN_EXECUTABLE /opt/procleak/bin/procleak-run)

# TIMEOUT 0 is CTest's "no timeout": procleak-run gets no --timeout (it would
# refuse 0ms and fail the test with 125), and the test keeps TIMEOUT 0.
set(arg_TIMEOUT 0)
_procleak_launcher(arg command)
if(command MATCHES "--timeout")
  message(FATAL_ERROR "TIMEOUT 0 gave a launcher timeout: ${command}")
endif()
if(NOT command_TEST_PROPERTIES STREQUAL "TIMEOUT;0")
  message(FATAL_ERROR "TIMEOUT 0 gave the properties '${command_TEST_PROPERTIES}'")
endif()

# A real timeout: procleak-run's deadline comes a margin before CTest's.
set(arg_TIMEOUT 30)
_procleak_launcher(arg command)
if(NOT command MATCHES "--timeout;24900ms")
  message(FATAL_ERROR "TIMEOUT 30 gave: ${command}")
endif()
message(STATUS "timeout commands as expected")
