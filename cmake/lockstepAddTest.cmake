# lockstepAddTest.cmake: lockstep_add_test(), shaped like add_test(), registers a CTest test
# that runs a program under lockstep. Loaded by lockstepConfig.cmake (find_package(lockstep)),
# which sets LOCKSTEP_EXECUTABLE.
#
#   lockstep_add_test(NAME <name> COMMAND <program> [<arg>...]
#                     [MODE run|explore] [SCHEDULES <n>] [SEED <s>] [JOBS <j>]
#                     [FAIL_ON <kind,...>|all] [BASELINE <file>] [SUPPRESSIONS <file>]
#                     [OUTPUT_DIR <dir>] [TIMEOUT <sec>] [WORKING_DIRECTORY <dir>]
#                     [LABELS <label>...] [EXTRA_ARGS <lockstep option>...])
#
# The test runs `lockstep MODE [options] -o OUTPUT_DIR -- <program> <args>`. <program> may be
# a target name (its file is used) or a path. MODE is `run` (one free-running run) unless
# SCHEDULES is given, which implies `explore`. Findings make lockstep exit 66, so the test
# fails with lockstep's text report in its output (ctest --output-on-failure); a target that
# fails on its own fails the test as under add_test. OUTPUT_DIR (report.json, schedules)
# defaults to ${CMAKE_CURRENT_BINARY_DIR}/lockstep-out/<name>. BASELINE and SUPPRESSIONS are
# relative to the current source directory. TIMEOUT (default 300 s for run, 900 s for
# explore) is the CTest TIMEOUT; lockstep is told to stop first, so its report is kept: run
# gets --timeout at 9/10 of it (a hang is a finding), explore a --time-budget of half of it.
# The test has the label `lockstep` plus LABELS. EXTRA_ARGS go to lockstep after these
# options, so they can override them.
function(lockstep_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 _lst ""
    "NAME;MODE;SCHEDULES;SEED;JOBS;FAIL_ON;BASELINE;SUPPRESSIONS;OUTPUT_DIR;TIMEOUT;WORKING_DIRECTORY"
    "COMMAND;LABELS;EXTRA_ARGS")
  if(_lst_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "lockstep_add_test: unknown arguments: ${_lst_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT _lst_NAME OR NOT _lst_COMMAND)
    message(FATAL_ERROR "lockstep_add_test: NAME and COMMAND are required")
  endif()
  if(NOT LOCKSTEP_EXECUTABLE)
    message(FATAL_ERROR "lockstep_add_test: LOCKSTEP_EXECUTABLE is not set (use find_package(lockstep))")
  endif()
  if(NOT _lst_MODE)
    if(DEFINED _lst_SCHEDULES)
      set(_lst_MODE explore)
    else()
      set(_lst_MODE run)
    endif()
  endif()
  if(NOT _lst_MODE MATCHES "^(run|explore)$")
    message(FATAL_ERROR "lockstep_add_test(${_lst_NAME}): MODE must be run or explore, not '${_lst_MODE}'")
  endif()
  foreach(_opt SCHEDULES SEED JOBS TIMEOUT)
    if(DEFINED _lst_${_opt} AND NOT _lst_${_opt} MATCHES "^[0-9]+$")
      message(FATAL_ERROR "lockstep_add_test(${_lst_NAME}): ${_opt} must be a number, not '${_lst_${_opt}}'")
    endif()
  endforeach()
  if(_lst_MODE STREQUAL "run")
    foreach(_opt SCHEDULES SEED JOBS)
      if(DEFINED _lst_${_opt})
        message(FATAL_ERROR "lockstep_add_test(${_lst_NAME}): ${_opt} needs MODE explore")
      endif()
    endforeach()
  endif()
  if(NOT _lst_TIMEOUT)
    if(_lst_MODE STREQUAL "run")
      set(_lst_TIMEOUT 300)
    else()
      set(_lst_TIMEOUT 900)
    endif()
  endif()
  if(NOT _lst_OUTPUT_DIR)
    set(_lst_OUTPUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/lockstep-out/${_lst_NAME}")
  endif()

  set(_args ${_lst_MODE} -o "${_lst_OUTPUT_DIR}")
  if(_lst_MODE STREQUAL "run")
    math(EXPR _t "${_lst_TIMEOUT} * 9 / 10")
    if(_t GREATER 0)
      list(APPEND _args --timeout ${_t})
    endif()
  else()
    if(DEFINED _lst_SCHEDULES)
      list(APPEND _args --schedules ${_lst_SCHEDULES})
    endif()
    if(DEFINED _lst_SEED)
      list(APPEND _args --seed ${_lst_SEED})
    endif()
    if(DEFINED _lst_JOBS)
      list(APPEND _args -j ${_lst_JOBS})
    endif()
    math(EXPR _t "${_lst_TIMEOUT} / 2")
    if(_t GREATER 0)
      list(APPEND _args --time-budget ${_t})
    endif()
  endif()
  if(_lst_FAIL_ON)
    list(APPEND _args --fail-on ${_lst_FAIL_ON})
  endif()
  foreach(_opt BASELINE SUPPRESSIONS)
    if(_lst_${_opt})
      get_filename_component(_f "${_lst_${_opt}}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
      string(TOLOWER "${_opt}" _flag)
      list(APPEND _args --${_flag} "${_f}")
    endif()
  endforeach()
  list(APPEND _args ${_lst_EXTRA_ARGS})

  list(POP_FRONT _lst_COMMAND _prog)
  if(TARGET ${_prog})
    set(_prog "$<TARGET_FILE:${_prog}>")
  endif()
  set(_wd)
  if(_lst_WORKING_DIRECTORY)
    set(_wd WORKING_DIRECTORY "${_lst_WORKING_DIRECTORY}")
  endif()
  add_test(NAME ${_lst_NAME}
    COMMAND "${LOCKSTEP_EXECUTABLE}" ${_args} -- ${_prog} ${_lst_COMMAND}
    ${_wd})
  set(_labels lockstep ${_lst_LABELS})
  set_tests_properties(${_lst_NAME} PROPERTIES TIMEOUT ${_lst_TIMEOUT} LABELS "${_labels}")
endfunction()
