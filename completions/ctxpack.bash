# bash completion for ctxpack(1). tests/install/test_cli_surface.py checks
# that it knows every command, flag and flag value --help lists.

_ctxpack() {
    local cur prev words cword
    _init_completion || return

    local commands="copy ls pack report why"
    local common="-h --help -f --file --builder"
    local build="--target --build-arg --platform"
    local cmd="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            copy | ls | pack | report | why) cmd=${words[i]}; break ;;
        esac
    done

    case $prev in
        -f | --file | -o | --output | --ignore-file)
            _filedir
            return ;;
        --builder)
            COMPREPLY=($(compgen -W "buildkit legacy" -- "$cur"))
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
        --level | --top | --depth | --max-size | --max-files | --target | --build-arg | --platform)
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
            pack) flags+=" -o --output --compress --level --reproducible --no-dockerfile -q --quiet" ;;
            report) flags+=" --top --depth --json --format --max-size --max-files --fail-on --no-compare $build" ;;
            copy) flags+=" --json --format $build" ;;
        esac
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
        return
    fi

    # why takes the context and then paths inside it; the others a context.
    if [[ $cmd == why ]]; then
        _filedir
    else
        _filedir -d
    fi
} &&
    complete -F _ctxpack ctxpack
