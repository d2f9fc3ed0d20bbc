# The full names ("Suite.Test") a googletest binary would run with `filter`,
# as its own --gtest_list_tests prints them, in definition order. Disabled
# tests (gtest's own rule: a suite or test name starting with DISABLED_) are
# left out: gtest does not run them either. On failure `out_var` is unset and
# `error_var` holds the binary's exit status and output.
function(nj_gtest_list binary filter out_var error_var)
  execute_process(COMMAND "${binary}" --gtest_list_tests "--gtest_filter=${filter}"
    TIMEOUT 60 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    set(${error_var} "${binary} --gtest_list_tests exited with '${rc}':\n${out}${err}" PARENT_SCOPE)
    unset(${out_var} PARENT_SCOPE)
    return()
  endif()
  # Parameter values are printed after '#' and may hold any character,
  # list separators and brackets included: drop them before splitting.
  string(REGEX REPLACE "[ \t]+#[^\n]*" "" out "${out}")
  string(REPLACE ";" "" out "${out}")
  string(REPLACE "\n" ";" lines "${out}")
  set(names "")
  set(suite "")
  foreach(line IN LISTS lines)
    if(line MATCHES "^([A-Za-z0-9_/]+)\\.$")
      set(suite "${CMAKE_MATCH_1}")
    elseif(line MATCHES "^  ([A-Za-z0-9_/]+)$" AND NOT suite STREQUAL "")
      set(name "${suite}.${CMAKE_MATCH_1}")
      if(NOT name MATCHES "(^|/|\\.)DISABLED_")
        list(APPEND names "${name}")
      endif()
    endif()
  endforeach()
  set(${out_var} "${names}" PARENT_SCOPE)
  unset(${error_var} PARENT_SCOPE)
endfunction()
