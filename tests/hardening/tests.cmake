# Hostile trees, faults and pathological inputs (issue 7): special files,
# unreadable paths, symlinks out of the context, depth, odd names, a full
# disk, closed pipes, signals, huge ignore files, endless Dockerfiles.
# Every case of every script is its own test, hardening_<script>.<case>, so
# that a known failure can be excluded alone and what is pending on a
# command shows by name. test_slow.py (the 9 GiB sparse-file pack, the time
# and memory bounds on pathological ignore files) is labelled slow, which
# the sanitizer pass skips. They need root (setpriv, mount, mknod), strace
# and util-linux; .ci/run installs them.
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(STATUS "python3 not found: the hardening tests (tests/hardening) are not registered")
  return()
endif()

set(CTXPACK_HARDENING_DIR ${CMAKE_CURRENT_LIST_DIR})
foreach(script ls pack report copy slow)
  set(source ${CTXPACK_HARDENING_DIR}/test_${script}.py)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${source})
  file(READ ${source} text)
  string(REGEX MATCHALL "@suite\\.case\ndef [a-z0-9_]+" cases "${text}")
  foreach(case ${cases})
    string(REGEX REPLACE ".*def " "" case "${case}")
    set(name hardening_${script}.${case})
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} -B ${source} --ctxpack $<TARGET_FILE:ctxpack> --case ${case})
    if(script STREQUAL "slow")
      set_tests_properties(${name} PROPERTIES TIMEOUT 900 LABELS "hardening;slow")
    else()
      set_tests_properties(${name} PROPERTIES TIMEOUT 300 LABELS hardening)
    endif()
  endforeach()
endforeach()
