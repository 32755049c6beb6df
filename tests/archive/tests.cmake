# Archive contexts (`docker build - < ctx.tar`) against a real, network-less
# dockerd with both builders (tests/daemon/dockerd.py): what `ctxpack copy`
# predicts for an archive against the image each builder makes from it.
add_test(NAME archive_daemon
         COMMAND ${CTXPACK_SYSTEM_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/test_archive_daemon.py
                 --ctxpack $<TARGET_FILE:ctxpack> --count 30)
# Docker builds dominate its time, as for daemon_ls.
set_tests_properties(archive_daemon PROPERTIES TIMEOUT 900 LABELS "daemon;slow")
