# End to end against a real, network-less dockerd that each test starts and
# stops itself (tests/daemon/dockerd.py): what `ctxpack ls` lists against what
# each builder puts in an image. See tests/daemon/README.md.
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(WARNING "python3 not found: the real-daemon tests (tests/daemon) are not registered")
  return()
endif()

add_test(NAME daemon_ls
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_buildkit_ls.py
                 --ctxpack $<TARGET_FILE:ctxpack>)
# Docker builds dominate its time, not ctxpack: the sanitizer run (-LE slow)
# would only repeat them.
set_tests_properties(daemon_ls PROPERTIES TIMEOUT 900 LABELS "daemon;slow")
