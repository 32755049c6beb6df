# Git URL contexts against a real, network-less dockerd with both builders,
# the repositories served by `git daemon` on 127.0.0.1 (see
# test_git_daemon.py): what `ctxpack copy URL` predicts against the image.
add_test(NAME git_daemon
         COMMAND ${CTXPACK_SYSTEM_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/test_git_daemon.py
                 --ctxpack $<TARGET_FILE:ctxpack> --count 20)
set_tests_properties(git_daemon PROPERTIES TIMEOUT 900 LABELS "daemon;slow")

# The same repositories built by Debian's real buildah, which clones them
# itself (no dockerd); about 30 s.
add_test(NAME git_buildah
         COMMAND ${CTXPACK_SYSTEM_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/test_git_daemon.py
                 --ctxpack $<TARGET_FILE:ctxpack> --count 20 --builder buildah)
set_tests_properties(git_buildah PROPERTIES TIMEOUT 600 LABELS "buildah;slow")
