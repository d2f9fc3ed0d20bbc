# Run by ctest (through the directory's TEST_INCLUDE_FILES) before it runs
# anything: one ctest entry per test suite of a googletest binary, and one
# per parameter value of a value-parameterized suite, found from the binary
# itself so that a new suite or test needs no list here.
#
# Why not one entry per test (gtest_discover_tests): the end-to-end suites
# start one sensor per suite and transport, which costs seconds of BPF
# loading; one process per test paid that for every test.
#
# Set by the including file: NJ_SUITES_BINARY, NJ_SUITES_PREFIX (entry names
# start with it), NJ_SUITES_WORKDIR, NJ_SUITES_LABELS, NJ_SUITES_TIMEOUT_BASE
# and NJ_SUITES_TIMEOUT_PER_TEST (seconds).
include("${CMAKE_CURRENT_LIST_DIR}/gtest-list.cmake")

if(NOT EXISTS "${NJ_SUITES_BINARY}")
  # Fails when run, as gtest_discover_tests' NOT_BUILT entry does.
  add_test("${NJ_SUITES_PREFIX}NOT_BUILT" "${NJ_SUITES_PREFIX}NOT_BUILT")
  set_tests_properties("${NJ_SUITES_PREFIX}NOT_BUILT" PROPERTIES LABELS "${NJ_SUITES_LABELS}")
  return()
endif()

nj_gtest_list("${NJ_SUITES_BINARY}" "*" _nj_names _nj_error)
if(DEFINED _nj_error)
  # A failing entry that shows why (its output is the listing's), rather
  # than silently no end-to-end tests at all.
  add_test("${NJ_SUITES_PREFIX}list_tests" "${NJ_SUITES_BINARY}" --gtest_list_tests)
  set_tests_properties("${NJ_SUITES_PREFIX}list_tests" PROPERTIES LABELS "${NJ_SUITES_LABELS}"
    FAIL_REGULAR_EXPRESSION ".")
  message(WARNING "${_nj_error}")
  return()
endif()

# Groups in the order their first test is defined: "Suite" runs Suite.*,
# "Prefix/Suite/value" runs Prefix/Suite.*/value (a test name holds a '/'
# only before a parameter value's name, which holds none).
set(_nj_groups "")
set(_nj_filters "")
set(_nj_counts "")
foreach(_nj_name IN LISTS _nj_names)
  string(FIND "${_nj_name}" "." _nj_dot)
  string(SUBSTRING "${_nj_name}" 0 ${_nj_dot} _nj_suite)
  math(EXPR _nj_dot "${_nj_dot} + 1")
  string(SUBSTRING "${_nj_name}" ${_nj_dot} -1 _nj_test)
  if(_nj_test MATCHES "/([^/]+)$")
    set(_nj_group "${_nj_suite}/${CMAKE_MATCH_1}")
    set(_nj_filter "${_nj_suite}.*/${CMAKE_MATCH_1}")
  else()
    set(_nj_group "${_nj_suite}")
    set(_nj_filter "${_nj_suite}.*")
  endif()
  list(FIND _nj_groups "${_nj_group}" _nj_at)
  if(_nj_at EQUAL -1)
    list(APPEND _nj_groups "${_nj_group}")
    list(APPEND _nj_filters "${_nj_filter}")
    list(APPEND _nj_counts 1)
  else()
    list(GET _nj_counts ${_nj_at} _nj_count)
    math(EXPR _nj_count "${_nj_count} + 1")
    list(REMOVE_AT _nj_counts ${_nj_at})
    list(INSERT _nj_counts ${_nj_at} ${_nj_count})
  endif()
endforeach()

list(LENGTH _nj_groups _nj_n)
if(_nj_n GREATER 0)
  math(EXPR _nj_last "${_nj_n} - 1")
  foreach(_nj_at RANGE ${_nj_last})
    list(GET _nj_groups ${_nj_at} _nj_group)
    list(GET _nj_filters ${_nj_at} _nj_filter)
    list(GET _nj_counts ${_nj_at} _nj_count)
    set(_nj_entry "${NJ_SUITES_PREFIX}${_nj_group}")
    math(EXPR _nj_timeout "${NJ_SUITES_TIMEOUT_BASE} + ${NJ_SUITES_TIMEOUT_PER_TEST} * ${_nj_count}")
    # No SKIP_REGULAR_EXPRESSION: one skipped test must not hide its suite
    # mates' failures. gtest lists the skipped tests at the end of its output.
    add_test("${_nj_entry}" "${NJ_SUITES_BINARY}" "--gtest_filter=${_nj_filter}")
    set_tests_properties("${_nj_entry}" PROPERTIES WORKING_DIRECTORY "${NJ_SUITES_WORKDIR}"
      LABELS "${NJ_SUITES_LABELS}" RUN_SERIAL TRUE TIMEOUT ${_nj_timeout})
  endforeach()
endif()
