# fish completion for ctxpack(1). tests/install/test_cli_surface.py checks
# that it knows every command, flag and flag value --help lists.

set -l commands ls why pack report copy fix diff
complete -c ctxpack -f
complete -c ctxpack -n "not __fish_seen_subcommand_from $commands" -l version -d 'Print the version'
complete -c ctxpack -s h -l help -d 'Print the options'
complete -c ctxpack -n "not __fish_seen_subcommand_from $commands" -a ls -d 'List the context in the order it is sent'
complete -c ctxpack -n "not __fish_seen_subcommand_from $commands" -a why -d 'The ignore-file line that decides each path'
complete -c ctxpack -n "not __fish_seen_subcommand_from $commands" -a pack -d 'Write the context as a tar'
complete -c ctxpack -n "not __fish_seen_subcommand_from $commands" -a report -d 'What the context weighs, what is risky'
complete -c ctxpack -n "not __fish_seen_subcommand_from $commands" -a copy -d 'Where every COPY/ADD puts which files'
complete -c ctxpack -n "not __fish_seen_subcommand_from $commands" -a fix -d 'The ignore file, corrected and tried'
complete -c ctxpack -n "not __fish_seen_subcommand_from $commands" -a diff -d 'What changed between two contexts'

# Every command: the context (a directory), -f and --builder.
set -l on "__fish_seen_subcommand_from $commands"
complete -c ctxpack -n "$on" -a '(__fish_complete_directories)'
complete -c ctxpack -n "$on" -s f -l file -r -F -d 'Dockerfile, relative to the current directory'
complete -c ctxpack -n "$on; and not __fish_seen_subcommand_from fix" -l builder -x -a 'buildkit legacy buildah podman' -d 'Builder whose rules apply'
complete -c ctxpack -n '__fish_seen_subcommand_from fix' -l builder -x -a 'buildkit legacy buildah podman all' -d 'Builder whose rules apply'

complete -c ctxpack -n '__fish_seen_subcommand_from ls' -s l -l long -d 'Show mode and size'
complete -c ctxpack -n '__fish_seen_subcommand_from ls' -s 0 -l null -d 'NUL-separated, names raw'

complete -c ctxpack -n '__fish_seen_subcommand_from why' -F
complete -c ctxpack -n '__fish_seen_subcommand_from why' -l ignore-file -r -F -d 'Judge paths against this ignore file alone'
complete -c ctxpack -n '__fish_seen_subcommand_from why' -l stdin -d 'Read paths from standard input'
complete -c ctxpack -n '__fish_seen_subcommand_from why' -s 0 -s z -l null -d 'NUL-separated paths, names raw'

complete -c ctxpack -n '__fish_seen_subcommand_from ls why copy report fix diff' -l json -d 'Same as --format json'
complete -c ctxpack -n '__fish_seen_subcommand_from ls why copy fix diff' -l format -x -a 'text json' -d 'Output format'
complete -c ctxpack -n '__fish_seen_subcommand_from report' -l format -x -a 'text json github sarif' -d 'Output format'

complete -c ctxpack -n '__fish_seen_subcommand_from pack' -s o -l output -r -F -d 'Write to FILE instead of stdout'
complete -c ctxpack -n '__fish_seen_subcommand_from pack' -l compress -x -a 'none gzip bzip2 xz zstd' -d 'Compression'
complete -c ctxpack -n '__fish_seen_subcommand_from pack' -l level -x -d 'Compression level'
complete -c ctxpack -n '__fish_seen_subcommand_from pack' -l jobs -x -d 'Threads compressing gzip'
complete -c ctxpack -n '__fish_seen_subcommand_from pack' -l reproducible -d 'Same bytes for the same content'
complete -c ctxpack -n '__fish_seen_subcommand_from pack' -l no-dockerfile -d 'Only the builder selection'
complete -c ctxpack -n '__fish_seen_subcommand_from pack' -s q -l quiet -d 'No progress and no summary'

complete -c ctxpack -n '__fish_seen_subcommand_from report' -l top -x -d 'How many largest entries to show'
complete -c ctxpack -n '__fish_seen_subcommand_from report' -l depth -x -d 'Depth of the directory tree'
complete -c ctxpack -n '__fish_seen_subcommand_from report' -l max-size -x -d 'Fail when the context tar is larger'
complete -c ctxpack -n '__fish_seen_subcommand_from report' -l max-files -x -d 'Fail when more files are sent'
complete -c ctxpack -n '__fish_seen_subcommand_from report' -l fail-on -x -a 'info warning error' -d 'Fail on a finding this severe'
complete -c ctxpack -n '__fish_seen_subcommand_from report' -l no-compare -d 'Do not compare the builders'

complete -c ctxpack -n '__fish_seen_subcommand_from report copy fix' -l target -x -d 'Build stage to stop at'
complete -c ctxpack -n '__fish_seen_subcommand_from report copy fix' -l build-arg -x -d 'Build argument KEY=VALUE'
complete -c ctxpack -n '__fish_seen_subcommand_from report copy fix' -l platform -x -d 'Target platform os/arch[/variant]'

complete -c ctxpack -n '__fish_seen_subcommand_from fix' -l write -d 'Write the changed ignore file'
complete -c ctxpack -n '__fish_seen_subcommand_from fix' -l allowlist -d 'Only what the COPY/ADD sources need'
complete -c ctxpack -n '__fish_seen_subcommand_from fix' -l all-targets -d 'Every stage counts'

complete -c ctxpack -n '__fish_seen_subcommand_from diff' -F
complete -c ctxpack -n '__fish_seen_subcommand_from diff' -l top -x -d 'Largest changes shown per entry'
complete -c ctxpack -n '__fish_seen_subcommand_from diff' -l max-growth -x -d 'Fail when the context grew by more'
complete -c ctxpack -n '__fish_seen_subcommand_from diff' -l git -x -a '(git for-each-ref --format="%(refname:short)" 2>/dev/null; echo HEAD)' -d 'OLD is a clean checkout of this commit'
