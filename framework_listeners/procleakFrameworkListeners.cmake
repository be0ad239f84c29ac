# The listeners for Catch2, doctest and Boost.Test, as sources compiled in
# the consumer's project against its own framework (whichever version it
# has: Catch2 v2 or v3), never prebuilt against the framework procleak was
# built with. procleak::<component> is an INTERFACE target: linking it adds
# the listener's source to the target, links procleak::listener_core, and
# keeps the listener's object even from a static library of tests (the
# anchor symbol, as an undefined symbol on every link that uses it).
#
#   _procleak_framework_listener(<component> <source file> <extra link item>...)
function(_procleak_framework_listener component source)
  set(target procleak_${component})
  if(TARGET procleak::${component})
    return()
  endif()
  add_library(${target} INTERFACE IMPORTED GLOBAL)
  add_library(procleak::${component} ALIAS ${target})
  set_target_properties(${target} PROPERTIES
    INTERFACE_SOURCES "${source}"
    INTERFACE_LINK_LIBRARIES "procleak::listener_core;-Wl,--undefined=procleak_${component}_listener_anchor;${ARGN}")
endfunction()

# The framework each component needs, as the consumer has it: a target
# (add_subdirectory, FetchContent) or an installed package. Sets
# <out_var> to the missing framework's description, or empty.
function(_procleak_framework_missing component out_var)
  set(missing "")
  if(component STREQUAL "catch2")
    if(NOT TARGET Catch2::Catch2)
      find_package(Catch2 QUIET)
      if(NOT Catch2_FOUND)
        set(missing "Catch2 (v2 or v3: a Catch2::Catch2 target, or find_package(Catch2))")
      endif()
    endif()
  elseif(component STREQUAL "doctest")
    if(NOT TARGET doctest::doctest)
      find_package(doctest QUIET)
      if(NOT doctest_FOUND)
        set(missing "doctest (a doctest::doctest target, or find_package(doctest))")
      endif()
    endif()
  elseif(component STREQUAL "boost_test")
    if(NOT TARGET Boost::headers)
      find_package(Boost 1.81 QUIET CONFIG)
    endif()
    set(header "")
    if(TARGET Boost::headers)
      get_target_property(dirs Boost::headers INTERFACE_INCLUDE_DIRECTORIES)
      foreach(dir IN LISTS dirs)
        if(EXISTS "${dir}/boost/test/unit_test.hpp")
          set(header "${dir}")
        endif()
      endforeach()
    endif()
    if(header STREQUAL "")
      set(missing "Boost.Test (Boost 1.81 or later with boost/test/unit_test.hpp: on Debian, libboost-test1.81-dev)")
    endif()
  else()
    set(missing "nothing procleak knows: the components are gtest, catch2, doctest and boost_test")
  endif()
  set(${out_var} "${missing}" PARENT_SCOPE)
endfunction()
