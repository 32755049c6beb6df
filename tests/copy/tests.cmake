# `ctxpack copy` against real builds (tests/copy/copy_e2e.py): FROM scratch
# images built by a private, network-less dockerd (tests/daemon/dockerd.py)
# under both builders, compared file by file with the prediction.
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(WARNING "python3 not found: the copy end-to-end test (tests/copy) is not registered")
  return()
endif()

add_test(NAME copy_e2e
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/copy_e2e.py --ctxpack $<TARGET_FILE:ctxpack>)
# Docker builds dominate its time, not ctxpack: the sanitizer run (-LE slow)
# would only repeat them. 77: docker.io is missing (.ci/run installs it).
set_tests_properties(copy_e2e PROPERTIES TIMEOUT 1500 SKIP_RETURN_CODE 77 LABELS "daemon;slow")

# The same cases built by Debian's real buildah (tests/buildah/buildah.py),
# against `ctxpack copy --builder buildah`; about 40 s, no daemon needed.
add_test(NAME copy_buildah
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/copy_e2e.py --ctxpack $<TARGET_FILE:ctxpack>
                 --builder buildah)
set_tests_properties(copy_buildah PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77 LABELS "buildah;slow")
