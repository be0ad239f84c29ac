#[=======================================================================[.rst:
procleak
--------

Runs tests under ``procleak-run``, which fails a test that leaks processes,
reports what it left and kills it. Loaded by ``find_package(procleak)``, and
by ``add_subdirectory``/``FetchContent`` of procleak's source tree.

Launcher options, accepted by every command below::

  MODE fail|warn|off       what a leak does to the test's result
  REPORT_DIR dir           one JSON report per test run, for procleak-report
  SUPPRESSIONS file        rules for leaks that do not fail the test
  GRACE duration           SIGTERM to SIGKILL (250ms, 2s, 1.5s, 1m)
  SETTLE duration          wait for exiting processes before calling them leaks
  LEAK_EXIT_CODE n         the exit status of a test that passed but leaked
  PROBE_PARENT_KILL        kill leaked parents first, report survivors
  TIMEOUT seconds          the test's CTest TIMEOUT (see below)

Options left out use procleak-run's defaults and its ``PROCLEAK_*``
environment variables. Every test runs under ``procleak-run --ctest``: a test
that leaked nothing gets exactly the result it has without procleak (its
output untouched for its regular expressions); a test that leaked, or whose
check was incomplete, fails (procleak-run ends with SIGUSR1, which no
``WILL_FAIL``, regular expression or ``SKIP_RETURN_CODE`` turns into a pass)
and prints its leak counts as ``<CTestMeasurement>`` lines (``procleak.leaks``,
``procleak.suppressed``, ``procleak.verdict``) for CDash and ``--output-junit``.

.. command:: procleak_enable_launcher

  ``procleak_enable_launcher([<launcher options>])``

  Every test of this directory (and the directories added after the call)
  whose command is an executable target runs under procleak-run: through
  ``TEST_LAUNCHER`` on CMake 3.29 and later, through ``CROSSCOMPILING_EMULATOR``
  before. Applies to targets created after the call and to the executables of
  this directory that exist already. CMake 3.28 with policy CMP0158 NEW has
  neither mechanism for native builds: the call stops with an error that says
  what to do. Tests whose command is a script or another program: use
  ``procleak_add_test``.

.. command:: procleak_discover_tests

  ``procleak_discover_tests(<target> [FRAMEWORK gtest|catch2|doctest] [<launcher options>]
  [<the framework's discovery options>])``

  The framework's own CTest discovery (``gtest_discover_tests``, the default;
  ``catch_discover_tests``; ``doctest_discover_tests``) with each discovered
  test under procleak-run. procleak-run's reports name it by the test it runs
  (GoogleTest's ``Suite.Name``, doctest's test case; for Catch2, whose
  discovered command names its test case as an operand, the command). The discovery
  run (``--gtest_list_tests``, ``--list-test-names-only``, ``--list-tests``,
  ``--list-test-cases``) passes through procleak-run untouched and silent.
  Catch2's and doctest's discovery put the target's
  ``CROSSCOMPILING_EMULATOR`` in front of each test (on every CMake), so
  procleak-run goes there; their modules must be loadable (``include(Catch)``
  finds Catch2's through ``find_package(Catch2)``; for doctest, include
  ``${doctest_DIR}/doctest.cmake`` or put its folder on ``CMAKE_MODULE_PATH``).
  Boost.Test has no CTest discovery: ``procleak_add_test`` per case.

.. command:: procleak_add_test

  ``procleak_add_test(NAME <name> COMMAND <command> [<arg>...] [WORKING_DIRECTORY <dir>]
  [CONFIGURATIONS <config>...] [<launcher options>])``

  ``add_test`` with the command under procleak-run, for any command: an
  executable target (as in ``add_test``), a script, or any program.

CTest timeouts: when a test's ``TIMEOUT`` fires, CTest kills the launcher with
SIGKILL, so nothing would be reported or cleaned. With ``TIMEOUT <seconds>``
these commands set the test's TIMEOUT and give procleak-run a deadline of its
own before it: TIMEOUT minus a margin of a third of TIMEOUT (at most 2 x GRACE
+ SETTLE + 1 s), with a grace period that fits in the margin. The timed-out
test has its report written and its processes gone, and procleak-run then
waits for CTest's own TIMEOUT to end it, so CTest says Timeout as without
procleak. ``TIMEOUT 0``
is CTest's "no timeout", and procleak-run then gets none either. On CMake 3.27
and later the test also gets ``TIMEOUT_SIGNAL_NAME SIGTERM``, so even CTest's
own timeout lets procleak-run clean up before it exits.
#]=======================================================================]

include_guard(GLOBAL)

# The launcher options, as variables of the calling function (a variable set
# here would live only in the directory that loaded this file).
macro(_procleak_option_names)
  set(_PROCLEAK_FLAGS PROBE_PARENT_KILL)
  set(_PROCLEAK_VALUES MODE REPORT_DIR SUPPRESSIONS GRACE SETTLE LEAK_EXIT_CODE TIMEOUT)
endmacro()

# "250ms", "2s", "1.5s", "1m" -> milliseconds; an error for anything else.
function(_procleak_duration_ms text out_var)
  if(NOT text MATCHES "^([0-9]+)(\\.([0-9]+))?(ms|s|m)$")
    message(FATAL_ERROR "procleak: '${text}' is not a duration (use 250ms, 2s, 1.5s or 1m)")
  endif()
  set(whole "${CMAKE_MATCH_1}")
  set(fraction "${CMAKE_MATCH_3}000")
  string(SUBSTRING "${fraction}" 0 3 fraction)
  set(unit "${CMAKE_MATCH_4}")
  if(unit STREQUAL "ms")
    set(ms "${whole}")
  elseif(unit STREQUAL "s")
    math(EXPR ms "${whole} * 1000 + 1${fraction} - 1000")
  else()
    math(EXPR ms "(${whole} * 1000 + 1${fraction} - 1000) * 60")
  endif()
  set(${out_var} "${ms}" PARENT_SCOPE)
endfunction()

# Seconds as CTest writes them ("2", "2.5") -> milliseconds.
function(_procleak_seconds_ms text out_var)
  if(NOT text MATCHES "^([0-9]+)(\\.([0-9]+))?$")
    message(FATAL_ERROR "procleak: TIMEOUT '${text}' is not a number of seconds")
  endif()
  _procleak_duration_ms("${text}s" ms)
  set(${out_var} "${ms}" PARENT_SCOPE)
endfunction()

# Where procleak-run is: set by procleak's own CMakeLists (a source build) or
# by procleakConfig.cmake (an installed package).
function(_procleak_run_executable out_var)
  get_property(exe GLOBAL PROPERTY PROCLEAK_RUN_EXECUTABLE)
  if(NOT exe)
    message(FATAL_ERROR "procleak: procleak-run is unknown; load procleak with find_package(procleak), "
                        "add_subdirectory or FetchContent before calling procleak_* commands")
  endif()
  set(${out_var} "${exe}" PARENT_SCOPE)
endfunction()

# The launcher command (a list) from the parsed launcher options of prefix,
# and in <out>_TEST_PROPERTIES the CTest properties that go with it.
function(_procleak_launcher prefix out_var)
  _procleak_run_executable(command)
  # CTest's result rule: a leak fails the test whatever WILL_FAIL, the regular
  # expressions or SKIP_RETURN_CODE say; a clean test is untouched.
  list(APPEND command --ctest)
  foreach(opt MODE REPORT_DIR SUPPRESSIONS SETTLE LEAK_EXIT_CODE)
    if(DEFINED ${prefix}_${opt})
      string(TOLOWER "${opt}" flag)
      string(REPLACE "_" "-" flag "${flag}")
      list(APPEND command "--${flag}" "${${prefix}_${opt}}")
    endif()
  endforeach()
  if(${prefix}_PROBE_PARENT_KILL)
    list(APPEND command --probe-parent-kill)
  endif()

  set(grace "${${prefix}_GRACE}")
  set(properties "")
  if(DEFINED ${prefix}_TIMEOUT)
    _procleak_seconds_ms("${${prefix}_TIMEOUT}" timeout_ms)
  endif()
  if(DEFINED ${prefix}_TIMEOUT AND timeout_ms EQUAL 0)
    # CTest's TIMEOUT 0 means "no timeout": none for procleak-run either.
    list(APPEND properties TIMEOUT 0)
  elseif(DEFINED ${prefix}_TIMEOUT)
    set(grace_text "2s")
    if(grace)
      set(grace_text "${grace}")
    endif()
    set(settle_text "100ms")
    if(DEFINED ${prefix}_SETTLE)
      set(settle_text "${${prefix}_SETTLE}")
    endif()
    _procleak_duration_ms("${grace_text}" grace_ms)
    _procleak_duration_ms("${settle_text}" settle_ms)
    # The launcher's deadline comes a margin before CTest's, and its grace
    # period fits in the margin next to the settle time.
    math(EXPR margin_ms "${timeout_ms} / 3")
    math(EXPR full_margin_ms "2 * ${grace_ms} + ${settle_ms} + 1000")
    if(full_margin_ms LESS margin_ms)
      set(margin_ms "${full_margin_ms}")
    endif()
    math(EXPR fitting_grace_ms "(${margin_ms} - ${settle_ms}) / 4")
    if(fitting_grace_ms LESS grace_ms)
      set(grace_ms "${fitting_grace_ms}")
    endif()
    if(grace_ms LESS 1)
      set(grace_ms 1)
    endif()
    math(EXPR launcher_timeout_ms "${timeout_ms} - ${margin_ms}")
    set(grace "${grace_ms}ms")
    list(APPEND command --timeout "${launcher_timeout_ms}ms")
    list(APPEND properties TIMEOUT "${${prefix}_TIMEOUT}")
    if(CMAKE_VERSION VERSION_GREATER_EQUAL 3.27)
      # CTest's own timeout then sends SIGTERM, which procleak-run forwards,
      # cleans up after and reports, before CTest's SIGKILL.
      math(EXPR signal_grace_ms "2 * ${grace_ms} + ${settle_ms} + 1000")
      if(signal_grace_ms GREATER 60000)
        set(signal_grace_ms 60000)
      endif()
      math(EXPR signal_grace_s "(${signal_grace_ms} + 999) / 1000")
      list(APPEND properties TIMEOUT_SIGNAL_NAME SIGTERM TIMEOUT_SIGNAL_GRACE_PERIOD "${signal_grace_s}")
    endif()
  endif()
  if(grace)
    list(APPEND command --grace "${grace}")
  endif()
  set(${out_var} "${command}" PARENT_SCOPE)
  set(${out_var}_TEST_PROPERTIES "${properties}" PARENT_SCOPE)
endfunction()

# The property that puts a launcher in front of a target's tests on this CMake.
function(_procleak_launcher_property out_var)
  if(CMAKE_VERSION VERSION_GREATER_EQUAL 3.29)
    set(${out_var} TEST_LAUNCHER PARENT_SCOPE)
  else()
    set(${out_var} CROSSCOMPILING_EMULATOR PARENT_SCOPE)
  endif()
endfunction()

# Puts launcher in front of target's existing launcher, replacing an earlier
# procleak-run (procleak_discover_tests after procleak_enable_launcher).
function(_procleak_set_target_launcher target launcher)
  _procleak_launcher_property(property)
  if(ARGC GREATER 2)
    set(property ${ARGV2})  # the property a framework's discovery reads
  endif()
  _procleak_run_executable(run)
  get_target_property(existing ${target} ${property})
  if(NOT existing)
    set(existing "")
  endif()
  list(LENGTH existing n)
  if(n GREATER 0)
    list(GET existing 0 first)
    if(first STREQUAL run)
      # Drop our own launcher, up to and including its "--" if it has one.
      list(FIND existing "--" end)
      if(end EQUAL -1)
        set(existing "")
      else()
        math(EXPR end "${end} + 1")
        list(SUBLIST existing ${end} -1 existing)
      endif()
    endif()
  endif()
  set(value ${launcher})
  if(existing)
    list(APPEND value -- ${existing})
  endif()
  set_property(TARGET ${target} PROPERTY ${property} "${value}")
endfunction()

function(procleak_enable_launcher)
  _procleak_option_names()
  cmake_parse_arguments(PARSE_ARGV 0 arg "${_PROCLEAK_FLAGS}" "${_PROCLEAK_VALUES}" "")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "procleak_enable_launcher: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(CMAKE_VERSION VERSION_GREATER_EQUAL 3.28 AND CMAKE_VERSION VERSION_LESS 3.29)
    cmake_policy(GET CMP0158 cmp0158 PARENT_SCOPE)
    if(cmp0158 STREQUAL "NEW" AND NOT CMAKE_CROSSCOMPILING)
      message(FATAL_ERROR
        "procleak_enable_launcher: CMake 3.28 with policy CMP0158 NEW uses CROSSCOMPILING_EMULATOR for "
        "tests only when cross-compiling, and TEST_LAUNCHER arrives in 3.29. Use CMake 3.29 or later, "
        "or cmake_policy(SET CMP0158 OLD) before this call, or procleak_add_test()/procleak_discover_tests().")
    endif()
  endif()
  if(DEFINED arg_TIMEOUT)
    message(FATAL_ERROR "procleak_enable_launcher: TIMEOUT is a per-test setting; pass it to "
                        "procleak_discover_tests or procleak_add_test, or set PROCLEAK_TIMEOUT")
  endif()
  _procleak_launcher(arg launcher)
  _procleak_launcher_property(property)
  # Targets created from now on, here and in subdirectories added later.
  set(CMAKE_${property} "${launcher}" PARENT_SCOPE)
  # Executables of this directory that exist already.
  get_property(targets DIRECTORY PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "EXECUTABLE")
      _procleak_set_target_launcher(${target} "${launcher}")
    endif()
  endforeach()
endfunction()

function(procleak_discover_tests target)
  _procleak_option_names()
  cmake_parse_arguments(PARSE_ARGV 1 arg "${_PROCLEAK_FLAGS}" "FRAMEWORK;${_PROCLEAK_VALUES}" "PROPERTIES")
  if(NOT TARGET ${target})
    message(FATAL_ERROR "procleak_discover_tests: '${target}' is not a target")
  endif()
  if(NOT arg_FRAMEWORK)
    set(arg_FRAMEWORK gtest)
  endif()
  if(arg_FRAMEWORK STREQUAL "gtest")
    set(discover gtest_discover_tests)
    set(module GoogleTest)
  elseif(arg_FRAMEWORK STREQUAL "catch2")
    set(discover catch_discover_tests)
    set(module Catch)
  elseif(arg_FRAMEWORK STREQUAL "doctest")
    set(discover doctest_discover_tests)
    set(module doctest)
  else()
    message(FATAL_ERROR "procleak_discover_tests(${target}): FRAMEWORK '${arg_FRAMEWORK}' is not one of gtest, catch2, doctest")
  endif()
  if(NOT COMMAND ${discover})
    include(${module} OPTIONAL)
  endif()
  if(NOT COMMAND ${discover})
    message(FATAL_ERROR "procleak_discover_tests(${target} FRAMEWORK ${arg_FRAMEWORK}): ${discover} is not defined "
      "and include(${module}) did not find it: load the framework's CMake module first")
  endif()
  _procleak_launcher(arg launcher)
  if(arg_FRAMEWORK STREQUAL "gtest")
    _procleak_set_target_launcher(${target} "${launcher}")
  else()
    # Catch.cmake and doctest.cmake read the emulator property, whatever CMake.
    _procleak_set_target_launcher(${target} "${launcher}" CROSSCOMPILING_EMULATOR)
  endif()
  set(properties ${arg_PROPERTIES} ${launcher_TEST_PROPERTIES})
  if(arg_FRAMEWORK STREQUAL "gtest" AND CMAKE_VERSION VERSION_GREATER_EQUAL 3.28 AND CMAKE_VERSION VERSION_LESS 3.29)
    # GoogleTest reads CMP0158 from its caller (this function): OLD keeps the emulator.
    cmake_policy(SET CMP0158 OLD)
  endif()
  if(properties)
    cmake_language(CALL ${discover} ${target} ${arg_UNPARSED_ARGUMENTS} PROPERTIES ${properties})
  else()
    cmake_language(CALL ${discover} ${target} ${arg_UNPARSED_ARGUMENTS})
  endif()
endfunction()

function(procleak_add_test)
  _procleak_option_names()
  cmake_parse_arguments(PARSE_ARGV 0 arg "${_PROCLEAK_FLAGS}" "NAME;WORKING_DIRECTORY;${_PROCLEAK_VALUES}"
                        "COMMAND;CONFIGURATIONS")
  if(NOT arg_NAME OR NOT arg_COMMAND)
    message(FATAL_ERROR "procleak_add_test: NAME and COMMAND are required")
  endif()
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "procleak_add_test(${arg_NAME}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  _procleak_launcher(arg launcher)
  list(POP_FRONT arg_COMMAND program)
  if(TARGET ${program})
    set(program "$<TARGET_FILE:${program}>")
  endif()
  set(extra "")
  if(arg_WORKING_DIRECTORY)
    list(APPEND extra WORKING_DIRECTORY "${arg_WORKING_DIRECTORY}")
  endif()
  if(arg_CONFIGURATIONS)
    list(APPEND extra CONFIGURATIONS ${arg_CONFIGURATIONS})
  endif()
  # The first word is procleak-run's path, not a target name, so no
  # TEST_LAUNCHER or emulator is put in front of it a second time.
  add_test(NAME ${arg_NAME} COMMAND ${launcher} --name ${arg_NAME} -- ${program} ${arg_COMMAND} ${extra})
  if(launcher_TEST_PROPERTIES)
    set_tests_properties(${arg_NAME} PROPERTIES ${launcher_TEST_PROPERTIES})
  endif()
endfunction()
