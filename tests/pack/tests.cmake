# ctxpack pack against Docker itself: the bytes the docker client uploads
# (stub daemon, tests/e2e harness) and the images a real dockerd builds from
# the tar (tests/daemon harness). The entry-by-entry comparison with the
# client's upload is tests/e2e's e2e_legacy_tar.
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(WARNING "python3 not found: the pack conformance tests (tests/pack) are not registered")
  return()
endif()

ctxpack_generated_contexts(count 100)
add_test(NAME pack_bytes
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_pack_bytes.py
                 --ctxpack $<TARGET_FILE:ctxpack> --count ${count})
# 77: the docker client is not installed (.ci/run installs it).
set_tests_properties(pack_bytes PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS e2e)

add_test(NAME pack_daemon
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_pack_daemon.py
                 --ctxpack $<TARGET_FILE:ctxpack>)
# Docker builds dominate its time, not ctxpack: the sanitizer run (-LE slow)
# would only repeat them.
set_tests_properties(pack_daemon PROPERTIES TIMEOUT 900 LABELS "daemon;slow")

# Compressed on several threads (gzip as parallel members, zstd and xz
# with their multithreaded encoders): their tools, bsdtar and Python read
# it whole, the same bytes for any --jobs, and a failed write leaves no file.
add_test(NAME pack_compress
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_pack_compress.py
                 --ctxpack $<TARGET_FILE:ctxpack>)
set_tests_properties(pack_compress PROPERTIES TIMEOUT 120)
