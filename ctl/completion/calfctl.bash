# bash completion for calfctl(1): commands and options from `calfctl --help`,
# session names from the running calfd (`calfctl list --json`), else from
# the routine calfd would read (`calfd --check-config`).

# The session names; "$@" is the -s SOCKET given on the command line.
_calfctl_sessions()
{
    local out
    if out=$(calfctl "$@" list --json 2>/dev/null); then
        grep -o '"session":"[^"]*"' <<<"$out" | cut -d'"' -f4
    else
        calfd --check-config 2>/dev/null | awk '{ print $1 }'
    fi
}

# The command names, as calfctl lists them in its help.
_calfctl_commands()
{
    calfctl --help 2>/dev/null |
        awk '/^Commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 }
             f && /^$/ { exit }'
}

_calfctl()
{
    local cur prev words cword
    _init_completion || return

    local i cmd="" sock=() nargs=0 valued=0
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        -s | --socket)
            sock=(-s "${words[i + 1]}")
            ((i++))
            ;;
        --socket=*) sock=(-s "${words[i]#--socket=}") ;;
        --format) ((i++)) ;;
        --days | --session | --at | --leg | --note)
            ((i++, valued++))
            ;;
        -*) ;;
        *)
            if [[ -z $cmd ]]; then
                cmd=${words[i]}
            else
                ((nargs++))
            fi
            ;;
        esac
    done

    case $prev in
    -s | --socket)
        _filedir
        return
        ;;
    --format)
        COMPREPLY=($(compgen -W "waybar i3blocks" -- "$cur"))
        return
        ;;
    --session)
        COMPREPLY=($(compgen -W "$(_calfctl_sessions "${sock[@]}")" \
            -- "$cur"))
        return
        ;;
    --leg)
        COMPREPLY=($(compgen -W "left right both" -- "$cur"))
        return
        ;;
    --days | --at | --note)
        return
        ;;
    esac

    if [[ $cur == -* ]]; then
        local own=""
        case $cmd in
        history) own="--days --session --csv" ;;
        stats) own="--days" ;;
        cramp) own="--at --leg --note" ;;
        esac
        COMPREPLY=($(compgen -W "-s --socket -j --json -h --help -V
            --version --format --reconnect $own" -- "$cur"))
        return
    fi
    if [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "$(_calfctl_commands)" -- "$cur"))
        return
    fi
    case $cmd in
    start | done | stop | skip | show | snooze | extend | resume)
        ((nargs == 0)) &&
            COMPREPLY=($(compgen -W "$(_calfctl_sessions "${sock[@]}")" \
                -- "$cur"))
        ;;
    pause)
        ((nargs == 0)) && COMPREPLY=($(compgen -W "until" -- "$cur"))
        ;;
    help)
        ((nargs == 0)) &&
            COMPREPLY=($(compgen -W "$(_calfctl_commands)" -- "$cur"))
        ;;
    cramp)
        if ((nargs == 0 && valued == 0)); then
            COMPREPLY=($(compgen -W "test result" -- "$cur"))
        elif ((nargs == 1)) && [[ $prev == result ]]; then
            COMPREPLY=($(compgen -W "relieved not-relieved" -- "$cur"))
        fi
        ;;
    esac
} &&
    complete -F _calfctl calfctl
