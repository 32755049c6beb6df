# bash completion for ctxpack(1). tests/install/test_cli_surface.py checks
# that it knows every command, flag and flag value --help lists.

_ctxpack() {
    local cur prev words cword
    _init_completion || return

    local commands="copy diff fix ls pack report why"
    local common="-h --help -f --file --builder"
    local build="--target --build-arg --platform"
    local cmd="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            copy | diff | fix | ls | pack | report | why) cmd=${words[i]}; break ;;
        esac
    done

    case $prev in
        -f | --file | -o | --output | --ignore-file)
            _filedir
            return ;;
        --builder)
            if [[ $cmd == fix ]]; then
                COMPREPLY=($(compgen -W "buildkit legacy buildah podman all" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "buildkit legacy buildah podman" -- "$cur"))
            fi
            return ;;
        --format)
            if [[ $cmd == report ]]; then
                COMPREPLY=($(compgen -W "text json github sarif" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "text json" -- "$cur"))
            fi
            return ;;
        --compress)
            COMPREPLY=($(compgen -W "none gzip bzip2 xz zstd" -- "$cur"))
            return ;;
        --fail-on)
            COMPREPLY=($(compgen -W "info warning error" -- "$cur"))
            return ;;
        --git)
            COMPREPLY=($(compgen -W "HEAD $(git for-each-ref --format='%(refname:short)' 2>/dev/null)" -- "$cur"))
            return ;;
        --level | --jobs | --top | --depth | --max-size | --max-files | --max-growth | --target | --build-arg | --platform)
            return ;;
    esac

    if [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "$commands -h --help --version" -- "$cur"))
        return
    fi

    if [[ $cur == -* ]]; then
        local flags=$common
        case $cmd in
            ls) flags+=" -l --long --json --format -0 --null" ;;
            why) flags+=" --ignore-file --stdin --json --format -0 -z --null" ;;
            pack) flags+=" -o --output --compress --level --jobs --reproducible --no-dockerfile -q --quiet" ;;
            report) flags+=" --top --depth --json --format --max-size --max-files --fail-on --no-compare $build" ;;
            copy) flags+=" --json --format $build" ;;
            fix) flags+=" --write --allowlist --all-targets --json --format $build" ;;
            diff) flags+=" --json --format --top --max-growth --git" ;;
        esac
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
        return
    fi

    # why takes the context and then paths inside it, diff two contexts or
    # saved listings; the others a context.
    if [[ $cmd == why || $cmd == diff ]]; then
        _filedir
    else
        _filedir -d
    fi
} &&
    complete -F _ctxpack ctxpack
