# Hostile trees, faults and pathological inputs (issue 7): special files,
# unreadable paths, symlinks out of the context, depth, odd names, a full
# disk, closed pipes, signals, huge ignore files. One script per command so
# that what is pending on a command shows as that test failing; the 9 GiB
# sparse-file pack and the pathological ignore files (time and memory
# bounds) are labelled slow, which the sanitizer pass skips. They need
# root (setpriv, mount, mknod), strace and util-linux; .ci/run installs them.
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(STATUS "python3 not found: the hardening tests (tests/hardening) are not registered")
  return()
endif()

set(CTXPACK_HARDENING_DIR ${CMAKE_CURRENT_LIST_DIR})
foreach(suite ls pack report slow)
  add_test(NAME hardening_${suite}
           COMMAND ${Python3_EXECUTABLE} ${CTXPACK_HARDENING_DIR}/test_${suite}.py
                   --ctxpack $<TARGET_FILE:ctxpack>)
endforeach()
set_tests_properties(hardening_ls hardening_pack hardening_report PROPERTIES TIMEOUT 600 LABELS hardening)
set_tests_properties(hardening_slow PROPERTIES TIMEOUT 900 LABELS "hardening;slow")
