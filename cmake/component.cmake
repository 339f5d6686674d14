# openem_component(NAME DIR DEPS...)
# One folder = one component = one static library `openem_<NAME>`.
# Sources are every *.cpp in the folder tree except *_test.cpp (unit tests, collected
# into `openem_<NAME>_tests`) and *_fuzz.cpp (libFuzzer entry points, see tests/fuzz).
# Globbing keeps adding a file a one-step change; CONFIGURE_DEPENDS re-globs on build.
function(openem_component NAME)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS;TEST_PROPERTIES" ${ARGN})
  file(GLOB_RECURSE all_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  set(lib_sources "")
  set(test_sources "")
  foreach(f IN LISTS all_sources)
    if(f MATCHES "_test\\.cpp$")
      list(APPEND test_sources ${f})
    elseif(NOT f MATCHES "_fuzz\\.cpp$")
      list(APPEND lib_sources ${f})
    endif()
  endforeach()
  if(lib_sources)
    add_library(openem_${NAME} STATIC ${lib_sources})
    target_include_directories(openem_${NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(openem_${NAME} PUBLIC ${ARG_DEPS})
  else()  # a component with no code yet
    add_library(openem_${NAME} INTERFACE)
    target_include_directories(openem_${NAME} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(openem_${NAME} INTERFACE ${ARG_DEPS})
  endif()
  if(OPENEM_BUILD_TESTS AND test_sources)
    add_executable(openem_${NAME}_tests ${test_sources})
    target_link_libraries(openem_${NAME}_tests PRIVATE openem_${NAME} ${ARG_TEST_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
    target_compile_definitions(openem_${NAME}_tests PRIVATE
      OPENEM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      OPENEM_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
    gtest_discover_tests(openem_${NAME}_tests DISCOVERY_MODE PRE_TEST TEST_PREFIX "${NAME}/"
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
      PROPERTIES LABELS unit ${ARG_TEST_PROPERTIES})
  endif()
endfunction()
