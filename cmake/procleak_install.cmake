# Install rules, the exported package, pkg-config files and the .deb (CPack).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(PROCLEAK_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/procleak")

install(TARGETS procleak_core procleak_listener_core
  EXPORT procleakTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The GoogleTest parts in an export set of their own: the package's "gtest"
# component, loaded only where GoogleTest is (procleakConfig.cmake).
if(TARGET procleak_gtest_listener)
  install(TARGETS procleak_gtest_listener procleak_gtest_main
    EXPORT procleakGTestTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT procleakGTestTargets NAMESPACE procleak:: DESTINATION ${PROCLEAK_CMAKE_DIR})
endif()
install(TARGETS procleak_run procleak_report procleak_ctest
  EXPORT procleakTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY lib/include/procleak listener_core/include/procleak gtest_listener/include/procleak
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/lib/include/procleak/version.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/procleak)

install(EXPORT procleakTargets NAMESPACE procleak:: DESTINATION ${PROCLEAK_CMAKE_DIR})
configure_package_config_file(cmake/procleakConfig.cmake.in ${PROJECT_BINARY_DIR}/procleakConfig.cmake
  INSTALL_DESTINATION ${PROCLEAK_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_BINDIR CMAKE_INSTALL_DATADIR)
# 0.x: a new minor version may change the contracts.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/procleakConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
# The framework listeners, compiled in the consumer's project.
install(FILES framework_listeners/catch2_listener.cpp framework_listeners/doctest_listener.cpp
  framework_listeners/boost_test_listener.cpp
  DESTINATION ${CMAKE_INSTALL_DATADIR}/procleak/listeners)
install(FILES
  framework_listeners/procleakFrameworkListeners.cmake
  ${PROJECT_BINARY_DIR}/procleakConfig.cmake
  ${PROJECT_BINARY_DIR}/procleakConfigVersion.cmake
  ctest_wrapper/cmake/procleak.cmake
  DESTINATION ${PROCLEAK_CMAKE_DIR})

# pkg-config, relocatable: the prefix is found from the .pc file's own folder.
file(RELATIVE_PATH PROCLEAK_PC_TO_PREFIX
  "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
foreach(pc procleak procleak-gtest-listener procleak-gtest-main procleak-catch2 procleak-doctest procleak-boost-test)
  configure_file(cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()

install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# cpack -G DEB in the build folder makes procleak_<version>_<arch>.deb.
set(CPACK_PACKAGE_NAME procleak)
set(CPACK_PACKAGE_VENDOR "procleak")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "procleak developers <procleak@users.noreply.github.com>")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# procleak-run links libstdc++ statically; procleak-report and the libraries
# need the C++ runtime; the listener's users build against GoogleTest.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6 (>= 2.34), libstdc++6 (>= 12)")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libgtest-dev (>= 1.12), cmake (>= 3.25)")
set(CPACK_STRIP_FILES ON)
include(CPack)
