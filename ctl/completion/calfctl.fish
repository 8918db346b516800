# fish completion for calfctl(1): commands from `calfctl --help`, session
# names from the running calfd (`calfctl list --json`), else from the
# routine calfd would read (`calfd --check-config`).

function __calfctl_commands
    calfctl --help 2>/dev/null | awk -v SEP='\t' '
        /^Commands:/ { f = 1; next }
        f && /^  [a-z]/ { if (name != "") print name SEP d; name = $1;
                          d = substr($0, 3); i = match(d, /  +/);
                          d = i ? substr(d, i + RLENGTH) : ""; next }
        f && /^   / && name != "" && d == "" { d = $0; sub(/^ +/, "", d); next }
        f && /^$/ { exit }
        END { if (name != "") print name SEP d }'
end

function __calfctl_sessions
    set -l tokens (commandline -opc)
    set -l sock
    set -l i (contains -i -- -s $tokens; or contains -i -- --socket $tokens)
    and set sock -s $tokens[(math $i + 1)]
    set -l out (calfctl $sock list --json 2>/dev/null)
    if test $status -eq 0
        string match -rag '"session":"([^"]*)"' -- $out
    else
        calfd --check-config 2>/dev/null | awk '{ print $1 }'
    end
end

# The command word, once given.
function __calfctl_needs_command
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    for t in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $t
            case -s --socket --format --days --session --at --leg --note
                set skip 1
            case '-*'
            case '*'
                return 1
        end
    end
    return 0
end

function __calfctl_using
    set -l tokens (commandline -opc)
    test (count $tokens) -ge 2; and contains -- $tokens[-1] $argv
end

complete -c calfctl -f
complete -c calfctl -s s -l socket -r -F -d 'talk to calfd at SOCKET'
complete -c calfctl -s j -l json -d 'print the reply as JSON'
complete -c calfctl -s h -l help -d 'show help'
complete -c calfctl -s V -l version -d 'print versions'
complete -c calfctl -l format -x -a 'waybar i3blocks' -d 'print for a status bar'
complete -c calfctl -l reconnect -d 'watch: wait for calfd to come back'
complete -c calfctl -n __calfctl_needs_command -a '(__calfctl_commands)'
complete -c calfctl -n '__calfctl_using start done stop skip show snooze extend resume' \
    -a '(__calfctl_sessions)'
complete -c calfctl -n '__calfctl_using pause' -a until
complete -c calfctl -n '__calfctl_using help' -a '(__calfctl_commands)'
complete -c calfctl -n '__fish_seen_subcommand_from history' -l csv \
    -d 'print CSV'
complete -c calfctl -n '__fish_seen_subcommand_from history stats' -l days -x \
    -d 'how many days back'
complete -c calfctl -n '__fish_seen_subcommand_from history' -l session -x \
    -a '(__calfctl_sessions)' -d 'one session'
complete -c calfctl -n '__fish_seen_subcommand_from cramp' -l at -x \
    -d 'when: HH:MM or an instant'
complete -c calfctl -n '__fish_seen_subcommand_from cramp' -l leg -x \
    -a 'left right both' -d 'which leg'
complete -c calfctl -n '__fish_seen_subcommand_from cramp' -l note -x \
    -d 'a note'
complete -c calfctl -n '__calfctl_using cramp' -a 'test result'
complete -c calfctl -n '__calfctl_using result' -a 'relieved not-relieved'
