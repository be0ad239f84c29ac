# Man pages procleak-run(1), procleak-ctest(1), procleak-report(1), made at
# build time by help2man from each command's own --help and --version (one
# source: the text the command prints), installed under share/man/man1 and
# so in the .deb. Without help2man (Debian: help2man) they are not made.
find_program(PROCLEAK_HELP2MAN help2man)
if(NOT PROCLEAK_HELP2MAN)
  message(STATUS "procleak: help2man not found: no man pages")
  return()
endif()
set(PROCLEAK_MAN_DIR ${PROJECT_BINARY_DIR}/man/man1)
set(pages "")
set(commands
  "procleak_run\;procleak-run\;run a test, then fail it if it leaked processes"
  "procleak_ctest\;procleak-ctest\;run ctest with every test under procleak-run"
  "procleak_report\;procleak-report\;the CI gate over procleak's leak reports")
foreach(entry IN LISTS commands)
  list(GET entry 0 target)
  list(GET entry 1 command)
  list(GET entry 2 summary)
  set(page ${PROCLEAK_MAN_DIR}/${command}.1)
  add_custom_command(OUTPUT ${page}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROCLEAK_MAN_DIR}
    COMMAND ${PROCLEAK_HELP2MAN} --no-info --no-discard-stderr --name ${summary} --output ${page}
            $<TARGET_FILE:${target}>
    DEPENDS ${target}
    COMMENT "Man page ${command}(1)"
    VERBATIM)
  list(APPEND pages ${page})
endforeach()
add_custom_target(procleak_man_pages ALL DEPENDS ${pages})
if(PROCLEAK_INSTALL)
  include(GNUInstallDirs)
  install(FILES ${pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
